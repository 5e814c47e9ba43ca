package accesslog

// Detect returns the built-in format that best fits lines, typically a
// log's first few dozen lines; empty lines are ignored. A line parsed
// whole scores 2; a line parsed with trailing fields left over
// (Record.Rest) or as a partial record (see [Record.Partial]) scores 1,
// so that common does not win on combined lines, nor nginx_main (whose
// partial records combined lines are) on them.
// Ties go to the more specific format, in the order JSON, vhost_combined,
// nginx_main, combined, common. If no line parses, Detect returns the zero
// Format.
func Detect(lines [][]byte) Format {
	cands := [...]Format{JSON(), VHostCombined(), NginxMain(), Combined(), Common()}
	best, bestN := -1, 0
	var rec Record
	for i, f := range cands {
		p := NewParser(f)
		n := 0
		for _, l := range lines {
			if len(trimEOL(l)) > 0 && p.Parse(l, &rec) == nil {
				n++
				if rec.Rest == nil && !rec.Partial {
					n++
				}
			}
		}
		if n > bestN {
			best, bestN = i, n
		}
	}
	if best < 0 {
		return Format{}
	}
	return cands[best]
}
