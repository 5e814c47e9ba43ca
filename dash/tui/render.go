package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/weblogctl/weblogctl/dash"
)

// styles are the dashboard's styles, from one renderer (so NO_COLOR
// holds for all of them).
type styles struct {
	title, head, dim, ok, warn, bad lipgloss.Style
}

func newStyles(r *lipgloss.Renderer) styles {
	return styles{
		title: r.NewStyle().Bold(true).Reverse(true),
		head:  r.NewStyle().Bold(true),
		dim:   r.NewStyle().Faint(true),
		ok:    r.NewStyle().Foreground(lipgloss.Color("2")),
		warn:  r.NewStyle().Foreground(lipgloss.Color("3")),
		bad:   r.NewStyle().Foreground(lipgloss.Color("1")).Bold(true),
	}
}

// classStyle is the style of a status class.
func (st styles) class(c string) lipgloss.Style {
	switch c {
	case "2xx":
		return st.ok
	case "4xx":
		return st.warn
	case "5xx":
		return st.bad
	}
	return st.dim
}

// render draws s in exactly height lines of at most width cells.
func render(st styles, s dash.Snapshot, title string, width, height int, footer string) string {
	width = max(width, 20)
	var out []string
	add := func(line string) { out = append(out, fit(line, width)) }

	add(st.title.Render(pad(fmt.Sprintf(" weblogctl top  %s  window %s  %s", title, s.Window, s.At.Format("15:04:05")), width)))
	sum := fmt.Sprintf("requests %d   %s req/s   bytes %s   %sB/s", s.Requests, human(s.RPS), human(float64(s.Bytes)), human(s.BPS))
	if s.Unparsed > 0 {
		sum += fmt.Sprintf("   unparsed %d", s.Unparsed)
	}
	if s.Latency != nil {
		sum += fmt.Sprintf("   latency p50 %s p90 %s p99 %s ms", human(s.Latency.P50), human(s.Latency.P90), human(s.Latency.P99))
	}
	if s.Truncated {
		sum += "   " + st.warn.Render("(group cap hit: some lines in no row)")
	}
	add(sum)
	sw := width - 16
	add(fmt.Sprintf("%-7s %s %7s", "req/s", st.ok.Render(spark(s.Rate, sw)), human(last(s.Rate))))
	add(fmt.Sprintf("%-7s %s %7s", "B/s", st.head.Render(spark(s.ByteRate, sw)), human(last(s.ByteRate))))
	add(classBar(st, s.Classes, width))

	// Hosts: a header and one row each, at most a quarter of the screen.
	hostRows := min(len(s.Hosts), max(1, height/4))
	add(st.head.Render(pad(fmt.Sprintf("%-24s %-10s %10s %8s %8s %8s  %s", "HOST", "STATE", "REQUESTS", "REQ/S", "4XX", "5XX", "LAST / ERROR"), width)))
	for _, h := range s.Hosts[:hostRows] {
		state := string(h.State)
		switch h.State {
		case dash.StateStale, dash.StateFailed:
			state = st.bad.Render(fmt.Sprintf("%-10s", strings.ToUpper(state)))
		case dash.StateUp:
			state = st.ok.Render(fmt.Sprintf("%-10s", state))
		default:
			state = st.dim.Render(fmt.Sprintf("%-10s", state))
		}
		note := h.Err
		if note == "" && !h.Last.IsZero() {
			note = s.At.Sub(h.Last).Round(time.Second).String() + " ago"
		}
		c5 := fmt.Sprintf("%8d", h.C5xx)
		if h.C5xx > 0 {
			c5 = st.bad.Render(c5)
		}
		add(fmt.Sprintf("%-24s %s %10d %8s %8d %s  %s", fit(h.Name, 24), state, h.Requests, human(h.RPS), h.C4xx, c5, note))
	}
	if n := len(s.Hosts) - hostRows; n > 0 {
		add(st.dim.Render(fmt.Sprintf("… %d more hosts", n)))
	}

	// Two rows of two panels fill what is left, less the footer.
	left := height - len(out) - 1
	k := max(0, (left-2)/2)
	colW := (width - 3) / 2
	for _, pair := range [][2]panel{
		{{"TOP PATHS", s.Paths}, {"TOP REFERRERS (200 hits)", s.Referrers}},
		{{"TOP CLIENT IPS", s.IPs}, {"TOP USER AGENTS", s.UAs}},
	} {
		if len(out) >= height-1 {
			break
		}
		a, b := pair[0].lines(st, k, colW, s.Requests), pair[1].lines(st, k, colW, s.Requests)
		for i := range a {
			if len(out) >= height-1 {
				break
			}
			add(a[i] + " │ " + b[i])
		}
	}
	for len(out) < height-1 {
		add("")
	}
	add(st.dim.Render(fit(footer, width)))
	return strings.Join(out, "\n")
}

// panel is a top-N list.
type panel struct {
	title string
	items []dash.Item
}

// lines returns the panel's title and k rows, each exactly width cells.
func (p panel) lines(st styles, k, width int, total int64) []string {
	out := []string{st.head.Render(pad(fmt.Sprintf("%9s %5s  %s", "COUNT", "%", p.title), width))}
	for i := range k {
		if i >= len(p.items) {
			out = append(out, pad("", width))
			continue
		}
		it := p.items[i]
		pct := 0.0
		if total > 0 {
			pct = 100 * float64(it.Count) / float64(total)
		}
		out = append(out, pad(fmt.Sprintf("%9d %5.1f  %s", it.Count, pct, it.Key), width))
	}
	return out
}

// classBar draws the status mix: a bar of width cells split by class,
// then each class's count.
func classBar(st styles, classes []dash.Item, width int) string {
	var total int64
	for _, c := range classes {
		total += c.Count
	}
	var legend []string
	for _, c := range classes {
		pct := 0.0
		if total > 0 {
			pct = 100 * float64(c.Count) / float64(total)
		}
		legend = append(legend, st.class(c.Key).Render(fmt.Sprintf("%s %d (%.1f%%)", c.Key, c.Count, pct)))
	}
	text := "status  " + strings.Join(legend, "  ")
	barW := width - lipglossWidth(text) - 2
	if barW < 10 || total == 0 {
		return text
	}
	var bar strings.Builder
	used := 0
	for _, c := range classes {
		n := int(int64(barW) * c.Count / total)
		used += n
		bar.WriteString(st.class(c.Key).Render(strings.Repeat("█", n)))
	}
	bar.WriteString(strings.Repeat(" ", barW-used))
	return text + "  " + bar.String()
}

func lipglossWidth(s string) int { return lipgloss.Width(s) }

// spark draws the last width values of v as a sparkline.
func spark(v []int64, width int) string {
	if width <= 0 {
		return ""
	}
	if len(v) > width {
		v = v[len(v)-width:]
	}
	var top int64
	for _, x := range v {
		top = max(top, x)
	}
	const bars = "▁▂▃▄▅▆▇█"
	r := []rune(bars)
	var b strings.Builder
	for range width - len(v) {
		b.WriteRune(' ')
	}
	for _, x := range v {
		switch {
		case x == 0:
			b.WriteRune(' ')
		case top == 0:
			b.WriteRune(r[0])
		default:
			b.WriteRune(r[min(len(r)-1, int(x*int64(len(r)-1)/top))])
		}
	}
	return b.String()
}

// last is the value of the last complete second.
func last(v []int64) float64 {
	if len(v) < 2 {
		return 0
	}
	return float64(v[len(v)-2])
}
