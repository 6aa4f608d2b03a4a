package importer

import (
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// The setters every importer writes attributes with. Each leaves a zero
// value out, so the HCL shows only what the source set and nbac's default
// stays the default.

// SetString sets name = v unless v is empty.
func SetString(b *hclwrite.Body, name, v string) {
	if v != "" {
		b.SetAttributeValue(name, cty.StringVal(v))
	}
}

// SetInt sets name = v unless v is 0.
func SetInt(b *hclwrite.Body, name string, v int) {
	if v != 0 {
		b.SetAttributeValue(name, cty.NumberIntVal(int64(v)))
	}
}

// SetStrings sets name to a list of strings unless l is empty.
func SetStrings(b *hclwrite.Body, name string, l []string) {
	if len(l) == 0 {
		return
	}
	vals := make([]cty.Value, len(l))
	for i, s := range l {
		vals[i] = cty.StringVal(s)
	}
	b.SetAttributeValue(name, cty.ListVal(vals))
}

// SetStringMap sets name to an object of strings unless m is empty.
func SetStringMap(b *hclwrite.Body, name string, m map[string]string) {
	if len(m) == 0 {
		return
	}
	vals := make(map[string]cty.Value, len(m))
	for k, v := range m {
		vals[k] = cty.StringVal(v)
	}
	b.SetAttributeValue(name, cty.ObjectVal(vals))
}
