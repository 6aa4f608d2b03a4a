package lang

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/nbac/nbac/stdlib"
)

// sensitiveMark is the cty mark carried by the values of variables declared
// `sensitive = true`. It is the same mark stdlib's sensitive() applies, so
// the two ways of declaring a secret mean one thing. cty propagates marks
// through operators, conditionals, templates and functions, so any value
// derived from a secret keeps it, and lowering refuses to store a marked
// value in the model.
const sensitiveMark = stdlib.SensitiveMark

// isSensitive reports whether v or anything inside it came from a sensitive
// value. Any mark counts: nbac applies no other kind, so an unknown mark is
// treated as the cautious case.
func isSensitive(v cty.Value) bool {
	return v.ContainsMarked()
}
