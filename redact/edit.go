package redact

// edit replaces line[start:end] with repl.
type edit struct {
	start, end int
	repl       string
}

// addEdit appends an edit replacing field, a sub-slice of line, with
// repl. A field that is not inside line is ignored.
func addEdit(edits []edit, line, field []byte, repl string) []edit {
	if field == nil {
		return edits
	}
	off := cap(line) - cap(field)
	if off < 0 || off+len(field) > len(line) {
		return edits
	}
	if len(field) > 0 && &line[off] != &field[0] {
		return edits
	}
	return append(edits, edit{off, off + len(field), repl})
}

// sortEdits orders edits by start and merges overlapping ones (which the
// formats never produce, but a merge redacts at least as much).
func sortEdits(edits []edit) []edit {
	for i := 1; i < len(edits); i++ {
		for j := i; j > 0 && edits[j].start < edits[j-1].start; j-- {
			edits[j], edits[j-1] = edits[j-1], edits[j]
		}
	}
	out := edits[:0]
	for _, e := range edits {
		if n := len(out); n > 0 && e.start < out[n-1].end {
			if e.end > out[n-1].end {
				out[n-1].end = e.end
			}
			out[n-1].repl = "-"
			continue
		}
		out = append(out, e)
	}
	return out
}
