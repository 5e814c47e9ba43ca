// Package tui draws a dash.Dash in a terminal, with bubbletea and
// lipgloss: the view of `weblogctl top`. The terminal is restored when it
// returns.
package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/weblogctl/weblogctl/dash"
)

// Config configures Run.
type Config struct {
	Dash  *dash.Dash
	Title string // e.g. the hosts and the log
	// Window is the initial window (0: all).
	Window time.Duration
	// Prompt is the prompt's filter the feeds started with.
	Prompt string
	// Restart restarts the feeds with the prompt's new filter; its error
	// is shown and the feeds keep running.
	Restart func(prompt string) error
	// Refresh is how often the screen is redrawn; 0: every second.
	Refresh time.Duration
	// NoColor draws without colours (NO_COLOR).
	NoColor bool
}

// Run shows the dashboard on out, reading keys from in, until q, Ctrl-C
// or ctx ends. It uses the terminal's alternate screen and restores the
// terminal before returning.
func Run(ctx context.Context, cfg Config, in io.Reader, out io.Writer) error {
	if cfg.Refresh <= 0 {
		cfg.Refresh = time.Second
	}
	r := lipgloss.NewRenderer(out)
	if cfg.NoColor {
		r.SetColorProfile(termenv.Ascii)
	}
	m := &model{cfg: cfg, window: cfg.Window, prompt: cfg.Prompt, st: newStyles(r), width: 80, height: 24}
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out), tea.WithAltScreen())
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

type tick time.Time

// changed says the dashboard changed.
type changed struct{}

// minRedraw is the least time between two redraws for new data.
const minRedraw = 100 * time.Millisecond

type model struct {
	cfg           Config
	st            styles
	width, height int
	window        time.Duration
	prompt        string // the running filter
	editing       bool
	input         []rune
	msg           string // the last error, shown in the footer
}

func (m *model) Init() tea.Cmd { return tea.Batch(m.next(), m.wait(0)) }

// wait returns a command that reports the dashboard's next change, not
// sooner than after.
func (m *model) wait(after time.Duration) tea.Cmd {
	ch := m.cfg.Dash.Changed()
	return func() tea.Msg {
		time.Sleep(after)
		<-ch
		return changed{}
	}
}

func (m *model) next() tea.Cmd {
	return tea.Tick(m.cfg.Refresh, func(t time.Time) tea.Msg { return tick(t) })
}

func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case tick:
		return m, m.next()
	case changed:
		return m, m.wait(minRedraw)
	case tea.KeyMsg:
		if msg.Type == tea.KeyCtrlC {
			return m, tea.Quit
		}
		if m.editing {
			m.edit(msg)
			return m, nil
		}
		if msg.Type != tea.KeyRunes {
			return m, nil
		}
		// Keys typed quickly (or pasted) arrive as one message.
		for i, r := range msg.Runes {
			if m.editing {
				m.edit(tea.KeyMsg{Type: tea.KeyRunes, Runes: msg.Runes[i:]})
				break
			}
			if m.key(r) {
				return m, tea.Quit
			}
		}
	}
	return m, nil
}

// key handles a key outside the prompt; it reports whether to quit.
func (m *model) key(r rune) bool {
	switch r {
	case 'q':
		return true
	case 'w':
		ws := dash.Windows()
		m.window = ws[(slices.Index(ws, m.window)+1)%len(ws)]
	case 'a':
		m.window = 0
	case '1':
		m.window = time.Minute
	case '5':
		m.window = 5 * time.Minute
	case 'h':
		m.window = time.Hour
	case '/':
		m.editing, m.input, m.msg = true, nil, ""
	}
	return false
}

// edit handles a key at the filter prompt.
func (m *model) edit(k tea.KeyMsg) {
	switch k.Type {
	case tea.KeyEsc:
		m.editing = false
	case tea.KeyEnter:
		m.editing = false
		p := strings.TrimSpace(string(m.input))
		if m.cfg.Restart != nil {
			if err := m.cfg.Restart(p); err != nil {
				m.msg = err.Error()
				return
			}
		}
		m.prompt = p
	case tea.KeyBackspace:
		if len(m.input) > 0 {
			m.input = m.input[:len(m.input)-1]
		}
	case tea.KeyCtrlU:
		m.input = nil
	case tea.KeyRunes, tea.KeySpace:
		if len(m.input) < 512 {
			m.input = append(m.input, k.Runes...)
		}
	}
}

func (m *model) View() string {
	rows := max(m.height, 10)
	s := m.cfg.Dash.Snapshot(m.window, rows, time.Now())
	return render(m.st, s, m.cfg.Title, m.width, rows, m.footer())
}

func (m *model) footer() string {
	if m.editing {
		return "filter (e.g. status:5xx path:^/api; Enter applies, empty clears, Esc cancels): " + string(m.input) + "█"
	}
	f := "q quit  w window  1/5/h/a 1m/5m/1h/all  / filter"
	if m.prompt != "" {
		f += "  [filter: " + m.prompt + "]"
	}
	if m.msg != "" {
		f += "  " + m.msg
	}
	return f
}

// fit cuts s to width cells.
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return ansi.Truncate(s, width, "…")
}

// pad cuts or pads s to exactly width cells.
func pad(s string, width int) string {
	s = fit(s, width)
	if w := ansi.StringWidth(s); w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}

// human prints n with a k/M/G suffix.
func human(n float64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1fG", n/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1fM", n/1e6)
	case n >= 1e4:
		return fmt.Sprintf("%.1fk", n/1e3)
	case n == float64(int64(n)):
		return fmt.Sprintf("%d", int64(n))
	}
	return fmt.Sprintf("%.1f", n)
}
