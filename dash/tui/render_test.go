package tui

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/weblogctl/weblogctl/dash"
	"github.com/weblogctl/weblogctl/fleet"
	"github.com/weblogctl/weblogctl/tally"
)

func snapshot(t *testing.T) dash.Snapshot {
	d := dash.New([]string{"web1", "a-very-long-host-name-that-does-not-fit.example.org"})
	tb := tally.New([]tally.Key{tally.KeyStatus}, 0)
	tb.AddGroup(&tally.Group{Values: []string{"200"}, Count: 90, Bytes: 9000})
	tb.AddGroup(&tally.Group{Values: []string{"503"}, Count: 10})
	d.Apply(fleet.LiveEvent{Kind: fleet.LiveTable, Feed: dash.FeedStatus, Table: tb, First: true, At: time.Now()})
	pt := tally.New([]tally.Key{tally.KeyPath}, 0)
	pt.AddGroup(&tally.Group{Values: []string{"/" + strings.Repeat("long/", 60)}, Count: 60})
	pt.AddGroup(&tally.Group{Values: []string{"/b"}, Count: 40})
	d.Apply(fleet.LiveEvent{Kind: fleet.LiveTable, Feed: dash.FeedPath, Table: pt, First: true, At: time.Now()})
	return d.Snapshot(0, 50, time.Now())
}

// TestRenderFits: whatever the terminal's size, the view has exactly its
// height in lines and no line wider than it.
func TestRenderFits(t *testing.T) {
	s := snapshot(t)
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI)
	for _, size := range [][2]int{{120, 40}, {80, 24}, {40, 12}, {200, 60}, {20, 10}} {
		out := render(newStyles(r), s, "web1", size[0], size[1], "q quit")
		lines := strings.Split(out, "\n")
		if len(lines) != size[1] {
			t.Errorf("%dx%d: %d lines", size[0], size[1], len(lines))
		}
		for i, l := range lines {
			if w := ansi.StringWidth(l); w > size[0] {
				t.Errorf("%dx%d: line %d is %d cells wide: %q", size[0], size[1], i, w, l)
			}
		}
		if size[0] >= 80 && (!strings.Contains(out, "     40") || !strings.Contains(out, "/b")) {
			t.Errorf("%dx%d: the top paths are missing:\n%s", size[0], size[1], out)
		}
	}
}

// TestRenderNoColor: with NO_COLOR's profile the view has no colour
// escapes; with colours it has some.
func TestRenderNoColor(t *testing.T) {
	s := snapshot(t)
	for _, c := range []struct {
		profile termenv.Profile
		colour  bool
	}{{termenv.Ascii, false}, {termenv.ANSI, true}} {
		r := lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(c.profile)
		out := render(newStyles(r), s, "web1", 120, 40, "")
		if got := strings.Contains(out, "\x1b[31") || strings.Contains(out, "\x1b[32"); got != c.colour {
			t.Errorf("profile %v: colour escapes %v, want %v", c.profile, got, c.colour)
		}
	}
}
