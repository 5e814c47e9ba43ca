//go:build unix

package logfile_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/weblogctl/weblogctl/logfile"
)

func ExampleFollow() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "access.log")
	if err := os.WriteFile(path, []byte("one\ntwo\nthree\n"), 0o644); err != nil {
		log.Fatal(err)
	}

	src := logfile.Source{
		Path:     path,
		Open:     os.Open, // a server passes its policy's safe open here
		Siblings: logfile.RotatedSiblings(path),
	}
	errDone := errors.New("done")
	var cursor logfile.Cursor
	err = logfile.Follow(context.Background(), src, logfile.Options{Lines: 2}, func(ev logfile.Event) error {
		cursor = ev.Cursor() // what a client keeps, to resume from
		switch ev.Kind {
		case logfile.EventOpen:
			fmt.Printf("open %s at %d\n", ev.Reason, ev.Offset)
		case logfile.EventData:
			fmt.Printf("data %q\n", ev.Data)
			return errDone // a real caller returns only when its client leaves
		}
		return nil
	})
	fmt.Println(err == errDone, cursor.Offset)
	// Output:
	// open start at 4
	// data "two\nthree\n"
	// true 14
}

func ExampleTail() {
	f, err := os.CreateTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	f.WriteString("a\nb\nc\nunfinished")
	off, err := logfile.Tail(f, 2)
	fmt.Println(off, err)
	// Output: 4 <nil>
}
