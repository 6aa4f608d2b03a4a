package kubernetes

import (
	"bytes"
	"regexp"
)

// A Secret's data must never reach an output stream, and the report's
// snippets print source lines: a YAML syntax error, or any diagnostic
// pointing into a Secret, would show the line it names. So the copy of a
// file kept for snippets has every Secret document masked, found by text
// rather than by decoding, because a document with a syntax error cannot
// be decoded. Masking keeps every byte offset and line number.
var (
	docSeparator = regexp.MustCompile(`^---(\s|#|$)`)
	secretKind   = regexp.MustCompile(`(^|[\s{,])["']?kind["']?\s*:\s*["']?Secret["']?\s*($|[\s,}#])`)
	keptLine     = regexp.MustCompile(`^(apiVersion|kind|metadata)\s*:|^\s+(name|namespace)\s*:\s*["']?[-a-z0-9.]*["']?\s*$`)
)

// snippetSource returns data with the lines of its Secret documents
// masked, except the apiVersion/kind/metadata keys and the object's name.
func snippetSource(data []byte) []byte {
	lines := bytes.SplitAfter(data, []byte("\n"))
	out := make([]byte, 0, len(data))
	start := 0
	flush := func(end int) {
		doc := lines[start:end]
		secret := false
		for _, l := range doc {
			if secretKind.Match(l) {
				secret = true
				break
			}
		}
		for _, l := range doc {
			if secret && !docSeparator.Match(l) && !keptLine.Match(bytes.TrimRight(l, "\r\n")) {
				l = mask(l)
			}
			out = append(out, l...)
		}
		start = end
	}
	for i, l := range lines {
		if i > start && docSeparator.Match(l) {
			flush(i)
		}
	}
	flush(len(lines))
	return out
}

// mask replaces every byte that is not white space with '*'.
func mask(l []byte) []byte {
	m := bytes.Clone(l)
	for i, c := range m {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			m[i] = '*'
		}
	}
	return m
}
