package schema

import (
	"github.com/hashicorp/hcl/v2"
)

// Source remembers where a block and its attributes were written, so that
// checks made after lowering can point back into the HCL. It is never part
// of model.json (a model read back from JSON has an empty Source, and
// diagnostics then fall back to naming the block).
type Source struct {
	// Block is the block's definition range (`service "api"`).
	Block hcl.Range
	// Attrs maps an attribute name (or a nested block type, such as
	// "health_check") to the range of its value expression.
	Attrs map[string]hcl.Range
}

// Range returns the range of attribute name, or the block's range when the
// attribute was not written (a default) or the model came from JSON.
func (s Source) Range(name string) *hcl.Range {
	if r, ok := s.Attrs[name]; ok {
		return &r
	}
	if s.Block.Filename == "" {
		return nil
	}
	r := s.Block
	return &r
}

// Set records the range of attribute name.
func (s *Source) Set(name string, r hcl.Range) {
	if s.Attrs == nil {
		s.Attrs = make(map[string]hcl.Range)
	}
	s.Attrs[name] = r
}

// Describe names a block the way diagnostics and plan output do:
// `service "api"`.
func Describe(kind, name string) string { return kind + ` "` + name + `"` }
