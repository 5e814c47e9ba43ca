package accesslog

// maxDetectLines is how many lines an AutoParser tries, one by one, to
// detect the format of a log that does not start with a parseable line.
const maxDetectLines = 100

// AutoParser parses lines of a log whose format is not known in advance:
// it detects the format from the first line that any built-in format
// parses (trying at most the first 100 lines), then parses every line with
// that format. Before detection, Parse returns ErrNoFormat.
type AutoParser struct {
	p     *Parser
	tried int
}

// NewAutoParser returns an AutoParser; f, when not the zero Format, is
// used from the start (e.g. detected from the log's first lines with
// Detect, or given by the user).
func NewAutoParser(f Format) *AutoParser {
	return &AutoParser{p: NewParser(f)}
}

// Parse parses line into rec, like Parser.Parse.
func (a *AutoParser) Parse(line []byte, rec *Record) error {
	if a.p.Format().IsZero() && a.tried < maxDetectLines {
		a.tried++
		if f := Detect([][]byte{line}); !f.IsZero() {
			a.p = NewParser(f)
		}
	}
	return a.p.Parse(line, rec)
}

// Format returns the format in use, the zero Format before detection.
func (a *AutoParser) Format() Format { return a.p.Format() }
