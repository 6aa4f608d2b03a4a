package schema

import (
	"iter"
	"slices"

	"github.com/hashicorp/hcl/v2"
)

// Source remembers where a block and its attributes were written, so that
// checks made after lowering can point back into the HCL. It is never part
// of model.json (a model read back from JSON has an empty Source, and
// diagnostics then fall back to naming the block).
type Source struct {
	// Block is the block's definition range (`service "api"`).
	Block hcl.Range
	// attrs holds, per attribute name (or nested block type, such as
	// "health_check"), the range of its value expression. A block has a
	// handful, so a slice searched in order beats a map: lowering a
	// 1,000-service estate sets ~60,000 of them, and maps were 7% of the
	// front end's allocations.
	attrs []attrRange
}

type attrRange struct {
	name string
	rng  hcl.Range
}

// Range returns the range of attribute name, or the block's range when the
// attribute was not written (a default) or the model came from JSON.
func (s Source) Range(name string) *hcl.Range {
	if r, ok := s.Attr(name); ok {
		return &r
	}
	if s.Block.Filename == "" {
		return nil
	}
	r := s.Block
	return &r
}

// Attr returns the range of attribute name and whether it was written.
func (s Source) Attr(name string) (hcl.Range, bool) {
	for i := range s.attrs {
		if s.attrs[i].name == name {
			return s.attrs[i].rng, true
		}
	}
	return hcl.Range{}, false
}

// Grow makes room for n more attributes, for a caller that knows how many
// a block holds.
func (s *Source) Grow(n int) { s.attrs = slices.Grow(s.attrs, n) }

// Attrs yields each recorded attribute name and range, in the order set.
func (s Source) Attrs() iter.Seq2[string, hcl.Range] {
	return func(yield func(string, hcl.Range) bool) {
		for _, a := range s.attrs {
			if !yield(a.name, a.rng) {
				return
			}
		}
	}
}

// Empty reports whether nothing about the block's source is known (a
// block not written, or a model read back from JSON).
func (s Source) Empty() bool { return s.Block.Filename == "" && len(s.attrs) == 0 }

// Has reports whether attribute name was written in the source.
func (s Source) Has(name string) bool {
	_, ok := s.Attr(name)
	return ok
}

// Set records the range of attribute name.
func (s *Source) Set(name string, r hcl.Range) {
	for i := range s.attrs {
		if s.attrs[i].name == name {
			s.attrs[i].rng = r
			return
		}
	}
	s.attrs = append(s.attrs, attrRange{name, r})
}

// Describe names a block the way diagnostics and plan output do:
// `service "api"`.
func Describe(kind, name string) string { return kind + ` "` + name + `"` }
