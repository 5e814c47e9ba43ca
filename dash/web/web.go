// Package web serves a dash.Dash as a local web page with live charts:
// the view of `weblogctl top --web`. The page and its script are
// embedded (no CDN); the data comes as server-sent events, one
// dash.Snapshot in JSON per refresh.
package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/weblogctl/weblogctl/dash"
)

//go:embed assets
var assets embed.FS

// Config configures Handler.
type Config struct {
	Dash  *dash.Dash
	Title string
	// Refresh is how often a snapshot is sent; 0: every second.
	Refresh time.Duration
}

// Handler returns the web view: "/" the page, "/events" the stream of
// snapshots (query: window=all|1m|5m|1h, top=N rows per panel, 1–100),
// "/snapshot" one snapshot, "/snapshot.js" the one the page draws
// before its stream starts (so that the page shows the counts as soon
// as it has loaded).
func Handler(cfg Config) http.Handler {
	if cfg.Refresh <= 0 {
		cfg.Refresh = time.Second
	}
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "assets") // cannot fail: the directory is embedded
	mux.Handle("GET /", http.FileServerFS(static))
	mux.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) { events(cfg, w, r) })
	mux.HandleFunc("GET /snapshot.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		w.Header().Set("Cache-Control", "no-store")
		b, _ := json.Marshal(page(cfg, 0, 15)) // cannot fail: plain data
		fmt.Fprintf(w, "window.topSnapshot = %s;\n", b)
	})
	mux.HandleFunc("GET /snapshot", func(w http.ResponseWriter, r *http.Request) {
		win, top, err := query(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(page(cfg, win, top))
	})
	return headers(mux)
}

// headers adds the headers every answer carries: the page loads nothing
// from elsewhere and cannot be framed.
func headers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}

// message is what an event carries.
type message struct {
	Title string `json:"title"`
	dash.Snapshot
}

func page(cfg Config, win time.Duration, top int) message {
	return message{Title: cfg.Title, Snapshot: cfg.Dash.Snapshot(win, top, time.Now())}
}

func query(r *http.Request) (time.Duration, int, error) {
	win, top := time.Duration(0), 15
	if s := r.URL.Query().Get("window"); s != "" {
		var ok bool
		if win, ok = dash.ParseWindow(s); !ok {
			return 0, 0, fmt.Errorf("window %q: want all, 1m, 5m or 1h", s)
		}
	}
	if s := r.URL.Query().Get("top"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return 0, 0, fmt.Errorf("top %q: want 1 to 100", s)
		}
		top = n
	}
	return win, top, nil
}

// minGap is the least time between two snapshots for new data.
const minGap = 100 * time.Millisecond

// events streams snapshots until the client goes away.
func events(cfg Config, w http.ResponseWriter, r *http.Request) {
	win, top, err := query(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	t := time.NewTicker(cfg.Refresh)
	defer t.Stop()
	for {
		// Take the change channel before the snapshot: a change that
		// lands while this one is written then still wakes the loop.
		ch := cfg.Dash.Changed()
		b, _ := json.Marshal(page(cfg, win, top)) // cannot fail: plain data
		if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
			return
		}
		if rc.Flush() != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-t.C:
		case <-ch:
			time.Sleep(minGap) // coalesce the tables of one interval
		}
	}
}

// CheckAddr refuses an address to listen on that is not a loopback one,
// unless any is set: the page shows the logs' contents to whoever
// reaches it.
func CheckAddr(addr string, any bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--web %q: want HOST:PORT: %w", addr, err)
	}
	if any {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--web %q: not a loopback address (anyone who reaches it reads the logs' summaries); use --web-any to allow it", addr)
	}
	return nil
}
