package lbconf

// Charset is a set of bytes, for the printers' word checks: a table lookup
// per byte, several times faster than the equivalent regexp on the hot path
// of printing every argument.
type Charset [256]bool

// NewCharset returns the set of the bytes in chars.
func NewCharset(chars string) *Charset {
	var c Charset
	for i := 0; i < len(chars); i++ {
		c[chars[i]] = true
	}
	return &c
}

// Union returns the set of c's bytes and those in more.
func (c *Charset) Union(more string) *Charset {
	u := *c
	for i := 0; i < len(more); i++ {
		u[more[i]] = true
	}
	return &u
}

// All reports whether every byte of s is in c (true for "").
func (c *Charset) All(s string) bool {
	for i := 0; i < len(s); i++ {
		if !c[s[i]] {
			return false
		}
	}
	return true
}

// Word is the bytes both printers print bare: letters, digits and
// . _ : / @ = , + * ~ ! ? & ( ) [ ] -. Neither format gives any of them a
// meaning inside a word; excluded are whitespace, quotes, backslash, '#',
// '$', '%', ';', '{', '}', control and non-ASCII bytes.
var Word = NewCharset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:/@=,+*~!?&()[]-")

// Quotable adds what compiler-built text may hold inside quotes (an HSTS
// value): space and ';'.
var Quotable = Word.Union(" ;")

// Keyword is what a directive or keyword name may be made of (its first
// byte is checked to be a lower-case letter separately).
var Keyword = NewCharset("abcdefghijklmnopqrstuvwxyz0123456789._-")

// Printable is printable ASCII, for comments.
var Printable = func() *Charset {
	var c Charset
	for b := 0x20; b < 0x7f; b++ {
		c[b] = true
	}
	return &c
}()
