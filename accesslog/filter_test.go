package accesslog

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2015, 5, 17, 12, 0, 0, 0, time.UTC)

// matching returns the 1-based numbers of the lines of testdata/file that
// spec selects.
func matching(t *testing.T, file string, spec FilterSpec) []int {
	t.Helper()
	f, err := Compile(spec, now)
	if err != nil {
		t.Fatalf("Compile(%+v): %v", spec, err)
	}
	lines := readLines(t, file)
	p := NewParser(Detect(lines))
	var got []int
	var rec Record
	for i, l := range lines {
		err := p.Parse(l, &rec)
		if f.Match(l, &rec, err) {
			got = append(got, i+1)
		}
	}
	return got
}

func TestFilterMatch(t *testing.T) {
	all := make([]int, 19)
	for i := range all {
		all[i] = i + 1
	}
	tests := []struct {
		args []string
		want []int
	}{
		{nil, all},
		{[]string{"--status=404"}, []int{4, 5, 11, 14}},
		{[]string{"--status=4xx"}, []int{4, 5, 7, 9, 11, 14}},
		{[]string{"--status=500-599"}, []int{12}},
		{[]string{"--status=301,302,201"}, []int{6}},
		{[]string{"--status=2xx", "--not-status=200"}, []int{6}},
		{[]string{"--not-status=200,404"}, []int{6, 7, 9, 12}},
		{[]string{"--method=post"}, []int{6}},
		{[]string{"--not-method=GET"}, []int{6, 7, 9}},
		{[]string{"--path=^/blog/"}, []int{2}},
		{[]string{"--path=\\.(css|gif|ico)$"}, []int{3, 4, 16}},
		{[]string{"--not-path=^/"}, []int{7, 9}},
		{[]string{"--referrer=gnosis\\.cx"}, []int{15, 16}},
		{[]string{"--not-referrer=example"}, []int{1, 2, 4, 5, 7, 8, 9, 11, 14, 15, 16, 19}},
		{[]string{"--has-referrer"}, []int{2, 3, 6, 10, 12, 13, 15, 16}},
		{[]string{"--ua=(?i)googlebot"}, []int{1}},
		{[]string{"--not-ua=Mozilla"}, []int{5, 6, 7, 8, 9, 11, 12, 13, 14}},
		{[]string{"--ip=203.0.113.0/24", "--status=200"}, []int{2, 3, 10, 13, 15, 16, 18, 19}},
		{[]string{"--ip=2001:db8::/32"}, []int{6}},
		{[]string{"--ip=198.51.100.23,66.249.66.1"}, []int{1, 4, 5}},
		{[]string{"--not-ip=203.0.113.0/24,192.0.2.0/24"}, []int{1, 4, 5, 6}},
		{[]string{"--since=2015-05-17T10:00:00Z", "--until=2015-05-17T11:00:00Z"}, []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}},
		{[]string{"--since=2h", "--until=1h30m"}, []int{2, 3, 4, 5, 6, 7, 8, 9}},
		{[]string{"--since=2015-05-17T11:00:00+01:00", "--until=2015-05-17T10:10:00Z"}, []int{2, 3, 4, 5}},
		{[]string{"--grep=truncated|not a log"}, []int{17, 18}},
		{[]string{"--not-grep=Mozilla"}, []int{5, 6, 7, 8, 9, 11, 12, 13, 14, 17, 18, 19}},
		{[]string{"--grep=^203", "--status=200"}, []int{2, 3, 10, 13, 15, 16, 18, 19}},
		{[]string{"--until-path=/kill-weblog-monitor"}, all},
	}
	for _, tt := range tests {
		spec, err := ParseFilterArgs(tt.args)
		if err != nil {
			t.Errorf("ParseFilterArgs(%q): %v", tt.args, err)
			continue
		}
		if got := matching(t, "combined.log", spec); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("filter %q selects lines %v, want %v", tt.args, got, tt.want)
		}
	}
}

func TestFilterStops(t *testing.T) {
	f, err := Compile(FilterSpec{UntilPath: "/kill-weblog-monitor"}, now)
	if err != nil {
		t.Fatal(err)
	}
	p := NewParser(Combined())
	for _, tt := range []struct {
		line string
		want bool
	}{
		{pre + `"GET /kill-weblog-monitor HTTP/1.1" 404 209 "-" "-"`, true},
		{pre + `"GET /kill-weblog-monitor?now=1 HTTP/1.1" 404 209 "-" "-"`, true},
		{pre + `"GET /kill-weblog-monitor/x HTTP/1.1" 404 209 "-" "-"`, false},
		{pre + `"GET /x HTTP/1.1" 200 209 "http://a/kill-weblog-monitor" "-"`, false},
		{`garbage /kill-weblog-monitor`, false},
	} {
		var rec Record
		err := p.Parse([]byte(tt.line), &rec)
		if got := f.Stops(&rec, err); got != tt.want {
			t.Errorf("Stops(%q) = %v, want %v", tt.line, got, tt.want)
		}
	}
	if f, _ := Compile(FilterSpec{}, now); f.Stops(&Record{Path: []byte("/")}, nil) {
		t.Error("Stops without --until-path = true, want false")
	}
}

func TestFilterUnparsedLines(t *testing.T) {
	parseErr := &ParseError{Msg: "test"}
	for _, tt := range []struct {
		spec FilterSpec
		want bool
	}{
		{FilterSpec{}, true},
		{FilterSpec{Grep: "garbage"}, true},
		{FilterSpec{NotGrep: "nomatch"}, true},
		{FilterSpec{Grep: "nomatch"}, false},
		{FilterSpec{Status: "400"}, false},
		{FilterSpec{NotStatus: "200"}, false},
		{FilterSpec{NotPath: "x"}, false},
		{FilterSpec{Grep: "garbage", Since: "1h"}, false},
	} {
		f, err := Compile(tt.spec, now)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Match([]byte("garbage line\n"), &Record{}, parseErr); got != tt.want {
			t.Errorf("%+v: Match(unparsed line) = %v, want %v", tt.spec, got, tt.want)
		}
	}
}

func TestFilterMatchAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool, and so regexp, allocate")
	}
	spec, err := ParseFilterArgs([]string{"--status=2xx,304", "--method=GET", "--path=^/", "--ua=Mozilla",
		"--ip=127.0.0.0/8,2001:db8::/32", "--since=2000-01-01", "--grep=HTTP", "--not-referrer=spam"})
	if err != nil {
		t.Fatal(err)
	}
	f, err := Compile(spec, now)
	if err != nil {
		t.Fatal(err)
	}
	p := NewParser(Combined())
	line := []byte(combinedLine)
	var rec Record
	allocs := testing.AllocsPerRun(100, func() {
		err := p.Parse(line, &rec)
		if !f.Match(line, &rec, err) {
			t.Fatal("no match")
		}
	})
	if allocs != 0 {
		t.Errorf("Parse+Match allocates %v times per line, want 0", allocs)
	}
}

func TestCompileErrors(t *testing.T) {
	for _, spec := range []FilterSpec{
		{Status: "4x"},
		{Status: "600-500"},
		{Status: "abc"},
		{Status: "404,"},
		{Status: strings.Repeat("200,", MaxListItems) + "200"},
		{Method: "GE T"},
		{IP: "10.0.0.0/33"},
		{IP: "example.com"},
		{NotIP: "fe80::1%eth0"},
		{Path: "("},
		{UA: strings.Repeat("a", MaxValueLen+1)},
		{Grep: "((((a{1000}){1000}){1000}){1000})"},
		{Grep: "[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}"},
		{Referrer: "a\x00b"},
		{Since: "yesterday"},
		{Since: "-2h"},
		{Since: "1h", Until: "2h"},
		{Since: "2015-05-17T10:00:00Z", Until: "2015-05-17T10:00:00Z"},
	} {
		_, err := Compile(spec, now)
		var fe *FilterError
		if !errors.As(err, &fe) || fe.Option == "" {
			t.Errorf("Compile(%.80v) = %v, want *FilterError naming the option", spec, err)
		}
	}
}

func TestFilterArgsRoundTrip(t *testing.T) {
	spec := FilterSpec{
		Status: "404,5xx", NotStatus: "503", Method: "GET,POST", NotMethod: "HEAD",
		Path: `^/blog/.*\.html$`, NotPath: "=", Referrer: "google", NotReferrer: "spam",
		HasReferrer: true, UA: "(?i)bot", NotUA: "curl", IP: "192.0.2.0/24,2001:db8::/32",
		NotIP: "192.0.2.1", Grep: "a b", NotGrep: "--x=y", Since: "2h", Until: "2015-05-17T11:00:00Z",
		UntilPath: "/kill-weblog-monitor",
	}
	args := spec.Args()
	if len(args) != len(FilterOptions()) {
		t.Errorf("Args() = %d tokens, want one per option (%d)", len(args), len(FilterOptions()))
	}
	got, err := ParseFilterArgs(args)
	if err != nil || got != spec {
		t.Errorf("ParseFilterArgs(%q) = %+v, %v; want %+v", args, got, err, spec)
	}
	if _, err := Compile(got, now); err != nil {
		t.Errorf("Compile: %v", err)
	}
}

func TestParseFilterArgs(t *testing.T) {
	spec, err := ParseFilterArgs([]string{"--status=404", "--status=5xx", "--method=GET", "--method=POST"})
	if err != nil || spec.Status != "404,5xx" || spec.Method != "GET,POST" {
		t.Errorf("repeated list options = %+v, %v; want joined with commas", spec, err)
	}
	for _, args := range [][]string{
		{"--status"},
		{"--status="},
		{"--status", "404"},
		{"-s=404"},
		{"status=404"},
		{"--stat=404"},
		{"--path=a", "--path=b"},
		{"--has-referrer=true"},
		{"--has-referrer", "--has-referrer"},
		{"--log=/etc/passwd"},
		{"--policy=x"},
		{"--grep=a\nb"},
		{"--grep=\xff"},
		{"--ua=" + strings.Repeat("x", MaxValueLen+1)},
		make([]string, MaxFilterArgs+1),
	} {
		if spec, err := ParseFilterArgs(args); err == nil {
			t.Errorf("ParseFilterArgs(%.60q) = %+v, want error", args, spec)
		}
	}
}

func TestFilterOptionsSet(t *testing.T) {
	var spec FilterSpec
	for _, o := range FilterOptions() {
		v := "x"
		if o.Bool {
			v = ""
		}
		if err := spec.Set(o.Name, v); err != nil {
			t.Errorf("Set(%q, %q): %v", o.Name, v, err)
		}
	}
	if got, err := ParseFilterArgs(spec.Args()); err != nil || got != spec {
		t.Errorf("every option set: round trip = %+v, %v", got, err)
	}
}

func ExampleCompile() {
	spec, err := ParseFilterArgs([]string{"--status=4xx", "--since=2015-05-17T10:00:00Z"})
	if err != nil {
		panic(err)
	}
	f, err := Compile(spec, time.Now())
	if err != nil {
		panic(err)
	}
	p := NewParser(Combined())
	var rec Record
	for _, line := range []string{
		`192.0.2.7 - - [17/May/2015:10:05:03 +0000] "GET /missing HTTP/1.1" 404 209 "-" "curl/8.0"`,
		`192.0.2.7 - - [17/May/2015:10:05:04 +0000] "GET / HTTP/1.1" 200 5120 "-" "curl/8.0"`,
		`not a log line`,
	} {
		err := p.Parse([]byte(line), &rec)
		selected := f.Match([]byte(line), &rec, err)
		if selected {
			fmt.Println(line)
		}
	}
	// Output: 192.0.2.7 - - [17/May/2015:10:05:03 +0000] "GET /missing HTTP/1.1" 404 209 "-" "curl/8.0"
}
