// Package haproxycfg reads haproxy.cfg's line format: sections, keywords and
// their arguments, with line numbers, following the quoting and escaping
// rules of HAProxy's configuration manual (section 2.2): an unquoted `#`
// starts a comment; a backslash escapes the next character (`\ `, `\#`,
// `\\`, `\'`, `\"`, and `\r`, `\n`, `\t`, `\xHH`; `\$` in double quotes)
// outside single quotes, and any other backslash stays as it is;
// single quotes keep everything literally; double quotes allow escapes and
// environment variables (`$VAR`, `${VAR}`), which this reader never expands
// but marks, so an importer can refuse a value that depends on the
// environment. HAProxy has no line continuation: every line stands alone, and a
// backslash ending one is kept. TestSplitLineAgreesWithHAProxy checks all
// of this against HAProxy's own parser.
//
// It only splits; what a keyword means is the importer's job
// (importer/haproxy). Every error is located at its line and column.
package haproxycfg
