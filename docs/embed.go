// Package docs carries the user documentation that tools show as data:
// language.md is embedded so that the language server's hover shows what
// the language reference says, from the one source users read.
package docs

import _ "embed"

// Language is docs/language.md, the language reference.
//
//go:embed language.md
var Language string
