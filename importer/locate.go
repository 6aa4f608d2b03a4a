package importer

import "bytes"

// Locate fills in the byte offsets of every diagnostic that names a line
// of a file in r.Sources, spanning that whole line, so that the CLI's
// snippet shows the line the report points at (a range with only a line
// number would show the file's first line).
func (r *Result) Locate() {
	for _, d := range r.Diags {
		s := d.Subject
		if s == nil {
			continue
		}
		src, ok := r.Sources[s.Filename]
		if !ok {
			continue
		}
		start, end, ok := lineSpan(src, s.Start.Line)
		if !ok {
			continue
		}
		s.Start.Byte, s.Start.Column = start, 1
		s.End = s.Start
		s.End.Byte, s.End.Column = end, end-start+1
	}
}

// lineSpan is the byte range of line n (1-based) of src, without its
// line break.
func lineSpan(src []byte, n int) (start, end int, ok bool) {
	for line := 1; line < n; line++ {
		i := bytes.IndexByte(src[start:], '\n')
		if i < 0 {
			return 0, 0, false
		}
		start += i + 1
	}
	end = len(src)
	if i := bytes.IndexByte(src[start:], '\n'); i >= 0 {
		end = start + i
	}
	if end > start && src[end-1] == '\r' {
		end--
	}
	return start, end, true
}
