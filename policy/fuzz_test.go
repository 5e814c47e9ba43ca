package policy

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzParseFile checks the policy file parser: no panic; an error names
// the file and leaves no File; an accepted profile is valid, and its
// flags (Args) rebuild it through ProfileFromFlags.
func FuzzParseFile(f *testing.F) {
	f.Add(example)
	f.Add("[profiles.a]\nlogs = { x = \"/x\" }\nmax_byte = 5\n")
	f.Add("[profiles.a]\nlogs.x = \"/x\"\nverbs = [\"cat\", \"ls\"]\nredact = [\"ua\"]\nmax_follow = \"1m30s\"\ntrust_symlinks = true\n")
	f.Add("[profiles.\"a\"]\n[profiles.\"a\".logs]\n\"x\" = '/x,y=z'\n")
	f.Fuzz(func(t *testing.T, doc string) {
		file, err := parseFile("p.toml", []byte(doc))
		if err != nil {
			if file != nil {
				t.Fatalf("error %v with a File", err)
			}
			if !strings.HasPrefix(err.Error(), "policy file p.toml: ") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		for _, name := range file.Names() {
			p, err := file.Profile(name)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Validate(); err != nil {
				t.Fatalf("accepted profile %s is invalid: %v", name, err)
			}
			args := p.Args()
			fl, err := ParseArgs(args)
			if err != nil {
				t.Fatalf("ParseArgs(%q): %v", args, err)
			}
			fl["profile"] = []string{p.Name}
			q, err := ProfileFromFlags(fl)
			if err != nil {
				t.Fatalf("flags %q of profile %+v: %v", args, p, err)
			}
			if len(p.Redact) == 0 {
				p.Redact = nil
			}
			if !reflect.DeepEqual(p, q) {
				t.Fatalf("profile %+v\nrebuilt %+v", p, q)
			}
		}
	})
}
