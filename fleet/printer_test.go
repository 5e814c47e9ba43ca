package fleet

import (
	"strings"
	"testing"
)

// TestHostLabels: labels align, and are coloured in turn when asked.
func TestHostLabels(t *testing.T) {
	hosts := []string{"a", "web10", "wéb"}
	plain := []string{"a:     ", "web10: ", "wéb:   "}
	colored := []string{"\x1b[36ma\x1b[0m:     ", "\x1b[33mweb10\x1b[0m: ", "\x1b[32mwéb\x1b[0m:   "}
	for i, l := range hostLabels(hosts, false) {
		if string(l) != plain[i] {
			t.Errorf("label %d = %q, want %q", i, l, plain[i])
		}
	}
	for i, l := range hostLabels(hosts, true) {
		if string(l) != colored[i] {
			t.Errorf("coloured label %d = %q, want %q", i, l, colored[i])
		}
	}
	long := strings.Repeat("x", 100)
	if l := hostLabels([]string{"a", long}, false); len(l[0]) != MaxLabelWidth+2 || string(l[1]) != long+": " {
		t.Errorf("labels with a long host: %q", l)
	}
}
