package accesslog

import "bytes"

// MayMatch is a fast test to run before Parse: false means that Match
// would reject line, for lines of the built-in text formats (common,
// combined, vhost_combined, nginx_main), where the status is a field of
// its own between spaces. It looks for such a field whose value is in the
// --status set, without parsing. It is true when the filter has no
// --status, or has --until-path (the line must be parsed to be seen).
// Lines it passes must still go through Parse and Match.
func (f *Filter) MayMatch(line []byte) bool {
	if f.status == nil || f.untilPath != nil {
		return true
	}
	for i := bytes.IndexByte(line, ' '); i >= 0 && i+4 <= len(line); {
		d := line[i+1:]
		if len(d) >= 3 && isDigit(d[0]) && isDigit(d[1]) && isDigit(d[2]) &&
			(len(d) == 3 || d[3] == ' ' || d[3] == '\n' || d[3] == '\r') &&
			f.status.has(int(d[0]-'0')*100+int(d[1]-'0')*10+int(d[2]-'0')) {
			return true
		}
		j := bytes.IndexByte(d, ' ')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// TextFormat reports whether f is one of the built-in text formats for
// which MayMatch holds.
func (f Format) TextFormat() bool {
	switch f.Name() {
	case NameCommon, NameCombined, NameVHostCombined, NameNginxMain:
		return true
	}
	return false
}
