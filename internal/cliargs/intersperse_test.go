package cliargs

import (
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// testApp has the shapes of flags weblogctl has: global options with and
// without values, and commands whose options share letters with them.
func testApp() *cli.App {
	cmd := func(name string) *cli.Command {
		return &cli.Command{Name: name, Flags: []cli.Flag{
			&cli.IntFlag{Name: "lines", Aliases: []string{"n"}},
			&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}},
			&cli.StringFlag{Name: "path"},
			&cli.StringFlag{Name: "status"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}},
			&cli.BoolFlag{Name: "has-referrer"},
		}}
	}
	return &cli.App{
		Name: "weblogctl",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "config", Aliases: []string{"F"}},
			&cli.IntFlag{Name: "port", Aliases: []string{"p"}},
			&cli.StringFlag{Name: "identity", Aliases: []string{"i"}},
			&cli.StringFlag{Name: "login", Aliases: []string{"l"}},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}},
		},
		Commands: []*cli.Command{cmd("fetch"), cmd("follow"), cmd("filter"), {Name: "ls", Flags: []cli.Flag{&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}}}}},
	}
}

func TestIntersperse(t *testing.T) {
	app := testApp()
	tests := []struct{ in, want string }{
		{"weblogctl filter web1 --status 404", "weblogctl filter --status 404 web1"},
		{"weblogctl fetch web1 -p2299 -i key -v -o x", "weblogctl -p 2299 -i key -v fetch -o x web1"},
		{"weblogctl follow -n2 web1 -- -p 1", "weblogctl follow -n 2 web1 -- -p 1"},
		{"weblogctl nosuch web1 --x", "weblogctl nosuch web1 --x"},
	}
	for _, tt := range tests {
		got := Intersperse(app, strings.Fields(tt.in))
		if !slices.Equal(got, strings.Fields(tt.want)) {
			t.Errorf("Intersperse(%q) = %q, want %q", tt.in, strings.Join(got, " "), tt.want)
		}
	}
}

func TestOperands(t *testing.T) {
	app := testApp()
	cmd := app.Command("follow")
	tests := []struct{ in, want string }{
		{"weblogctl -F cfg follow -n 2 web1 --path /x access", "web1 access"},
		{"weblogctl follow --has-referrer web1", "web1"},
		{"weblogctl follow web1 -- -n 2", "web1 -n 2"},
		{"weblogctl ls web1", ""},
	}
	for _, tt := range tests {
		if got := Operands(cmd, app, strings.Fields(tt.in)); !slices.Equal(got, strings.Fields(tt.want)) {
			t.Errorf("Operands(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for tok, want := range map[string]bool{"-n": true, "--path": true, "--path=/x": false, "--has-referrer": false, "--nosuch": false} {
		if got := WantsValue(cmd.Flags, tok); got != want {
			t.Errorf("WantsValue(%q) = %v, want %v", tok, got, want)
		}
	}
}

func TestPrepare(t *testing.T) {
	app := testApp()
	tests := []struct{ in, want string }{
		{"weblogctl follow web1 -n 2", "weblogctl follow -n 2 web1"},
		{"weblogctl follow web1 --pa " + CompletionFlag, "weblogctl follow web1 " + CompletionFlag},
		{"weblogctl follow web1 " + CompletionFlag, "weblogctl follow web1 " + CompletionFlag},
	}
	for _, tt := range tests {
		if got := Prepare(app, strings.Fields(tt.in)); !slices.Equal(got, strings.Fields(tt.want)) {
			t.Errorf("Prepare(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzIntersperse: no panic; the result holds the same characters (only
// reordered, or a glued option split in two), starts with the program,
// and is already in order (a second pass changes nothing).
func FuzzIntersperse(f *testing.F) {
	app := testApp()
	for _, s := range []string{"weblogctl fetch web1 -p2299 -o x", "weblogctl -v follow -n2 web1 -- -p 1", "weblogctl filter web1 --url ( -path /x", "weblogctl ls -j"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		in := append([]string{"weblogctl"}, strings.Fields(s)...)
		got := Intersperse(app, slices.Clone(in))
		if got[0] != "weblogctl" {
			t.Fatalf("intersperse(%q) = %q: the program moved", in, got)
		}
		chars := func(ts []string) string {
			b := []byte(strings.Join(ts, ""))
			slices.Sort(b)
			return string(b)
		}
		if chars(got) != chars(in) {
			t.Fatalf("intersperse(%q) = %q: not the same characters", in, got)
		}
		if again := Intersperse(app, slices.Clone(got)); !slices.Equal(again, got) {
			t.Fatalf("intersperse(%q) = %q, but again %q", in, got, again)
		}
	})
}
