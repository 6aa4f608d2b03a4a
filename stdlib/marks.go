package stdlib

import (
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Mark is the type of the cty marks this package applies.
type Mark string

// SensitiveMark marks a value that must never be written to an artifact or
// to model.json. sensitive() applies it; go-cty carries it through every
// function and operator, so anything derived from a secret stays marked.
// The compiler treats a value carrying it as a secret.
const SensitiveMark = Mark("sensitive")

// sensitiveFunc marks its argument sensitive. There is deliberately no
// nonsensitive(): unmarking is how secrets leak into artifacts.
var sensitiveFunc = function.New(&function.Spec{
	Description: "Marks value as sensitive: it and everything computed from it may not appear in an artifact.",
	Params: []function.Parameter{{
		Name:             "value",
		Type:             cty.DynamicPseudoType,
		AllowUnknown:     true,
		AllowNull:        true,
		AllowMarked:      true,
		AllowDynamicType: true,
	}},
	Type: func(args []cty.Value) (cty.Type, error) {
		return args[0].Type(), nil
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return args[0].Mark(SensitiveMark), nil
	},
})
