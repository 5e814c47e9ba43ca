package accesslog

// maxDetectLines is how many lines an AutoParser tries, one by one, to
// detect the format of a log that does not start with a parseable line.
const maxDetectLines = 100

// AutoParser parses lines of a log whose format is not known in advance:
// it detects the format from the first line that a built-in format
// parses whole, without fields left over (trying at most the first 100
// lines), then parses every line with that format. A line that only
// parses with fields left over or as a partial record (a line cut short)
// is parsed with the format that fits it best, and detection goes on.
// Before detection, Parse returns ErrNoFormat.
type AutoParser struct {
	p     *Parser
	tried int
	sure  bool // the format is given, or a line parsed whole with it
}

// NewAutoParser returns an AutoParser; f, when not the zero Format, is
// used from the start (e.g. detected from the log's first lines with
// Detect, or given by the user).
func NewAutoParser(f Format) *AutoParser {
	return &AutoParser{p: NewParser(f), sure: !f.IsZero()}
}

// Parse parses line into rec, like Parser.Parse.
func (a *AutoParser) Parse(line []byte, rec *Record) error {
	if !a.sure && a.tried < maxDetectLines {
		a.tried++
		if f := Detect([][]byte{line}); !f.IsZero() && f.Name() != a.p.Format().Name() {
			a.p = NewParser(f)
		}
	}
	err := a.p.Parse(line, rec)
	if !a.sure && err == nil && rec.Rest == nil && !rec.Partial {
		a.sure = true
	}
	return err
}

// Format returns the format in use, the zero Format before detection.
func (a *AutoParser) Format() Format { return a.p.Format() }
