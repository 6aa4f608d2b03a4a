package lang

import (
	"fmt"
	"math/big"
	"sort"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/nbac/nbac/schema"
)

// body decodes one block's content into schema values. Each accessor records
// the attribute's range in src, evaluates it, rejects sensitive values and
// wrong types with a diagnostic at the attribute, and returns the default
// when the attribute is absent, null, or broken (broken ones are reported,
// so the default only keeps lowering going).
type body struct {
	l    *loader
	c    *hcl.BodyContent
	src  *schema.Source
	what string // `service "api"`, for messages
	// partial is set when a dynamic block could not be expanded, so checks
	// for missing blocks stay quiet rather than repeat that error.
	partial bool
}

// open decodes b against s and returns a body for it; ok is false when the
// structure itself is wrong (the diagnostics are already recorded). Nested
// blocks may be generated with Terraform-style `dynamic "TYPE" { for_each,
// content {} }` blocks (HCL's dynblock extension), e.g. an autoscale block
// only in production; their content's references are checked like any
// other, minus the iterator.
func (l *loader) open(b hcl.Body, s *hcl.BodySchema, src *schema.Source, what string) (*body, bool) {
	if c, ok := plainContent(b, s); ok {
		// Sized once: every attribute present is usually read, and so
		// recorded, which would otherwise grow the slice step by step.
		src.Grow(len(c.Attributes) + len(c.Blocks))
		return &body{l: l, c: c, src: src, what: what}, true
	}
	if pc, ok := b.(*plainChild); ok {
		// What dynblock would have made of this child had its parent been
		// expanded, so that the diagnostics below are the same.
		b = dynblock.Expand(pc.Body, l.ctx.NewChild(), forEachCheck)
	}
	var bad, secret []hcl.Range
	if len(s.Blocks) > 0 {
		bad = l.checkDynamicForEach(b)
		secret = l.sensitiveDynamicExprs(b)
		b = dynblock.Expand(b, l.ctx, forEachCheck)
	}
	c, diags := b.Content(s)
	diags = dropWithin(diags, bad)
	diags = redactWithin(diags, secret)
	explainMarkedLabels(diags)
	l.add(diags...)
	return &body{l: l, c: c, src: src, what: what, partial: len(bad) > 0}, !diags.HasErrors()
}

// forEachCheck refuses a sensitive for_each (see checkForEachNotSensitive).
var forEachCheck = dynblock.OptCheckForEach(checkForEachNotSensitive)

// plainContent is open's fast path: the body decoded without dynblock.
// A body that decodes cleanly against s has no dynamic block (s never
// declares one), and then expansion would return the same attributes and
// blocks, only wrapped; it costs a third of lowering's allocations on a
// large estate. Nested blocks are marked plainChild, so that when one of
// them does not decode cleanly, open can rebuild the wrapping it skipped and
// report exactly what the expanding path reports. ok is false on any
// diagnostic; open then takes that path.
func plainContent(b hcl.Body, s *hcl.BodySchema) (*hcl.BodyContent, bool) {
	raw := b
	if pc, ok := b.(*plainChild); ok {
		raw = pc.Body
	}
	c, diags := raw.Content(s)
	if len(diags) > 0 {
		return nil, false
	}
	if len(c.Blocks) > 0 {
		blocks := make(hcl.Blocks, len(c.Blocks))
		children := make([]plainChild, len(c.Blocks))
		for i, blk := range c.Blocks {
			children[i].Body = blk.Body
			cp := *blk
			cp.Body = &children[i]
			blocks[i] = &cp
		}
		c.Blocks = blocks
	}
	return c, true
}

// plainChild is the body of a block decoded by plainContent.
type plainChild struct{ hcl.Body }

func (b *body) errorAt(rng hcl.Range, summary, detail string) {
	b.l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: rng.Ptr()})
}

// value evaluates attribute name; ok is false when it is absent, null or
// failed.
func (b *body) value(name string) (cty.Value, *hcl.Attribute, bool) {
	a := b.c.Attributes[name]
	if a == nil {
		return cty.NilVal, nil, false
	}
	b.src.Set(name, a.Expr.Range())
	v, ok := b.l.eval(a.Expr, nil, "")
	if !ok || v.IsNull() {
		return cty.NilVal, a, false
	}
	if isSensitive(v) {
		b.errorAt(a.Expr.Range(), "Sensitive value would be written to an artifact",
			fmt.Sprintf("The value of %s in %s comes from a sensitive variable, and %s is written in plain text to model.json and the generated artifacts. Keep secrets out of the configuration: reference a Kubernetes Secret with a secret_env block, or name an environment variable (url_env, password_env) that holds it at run time.", name, b.what, name))
		return cty.NilVal, a, false
	}
	return v, a, true
}

func (b *body) typeError(a *hcl.Attribute, want string, err error) {
	detail := fmt.Sprintf("%s in %s must be %s.", a.Name, b.what, want)
	if err != nil {
		detail = fmt.Sprintf("%s in %s must be %s: %s.", a.Name, b.what, want, err)
	}
	b.errorAt(a.Expr.Range(), "Incorrect attribute value type", detail)
}

func (b *body) str(name, def string) string {
	v, a, ok := b.value(name)
	if !ok {
		return def
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil {
		b.typeError(a, "a string", err)
		return def
	}
	return s.AsString()
}

func (b *body) boolean(name string, def bool) bool {
	v, a, ok := b.value(name)
	if !ok {
		return def
	}
	s, err := convert.Convert(v, cty.Bool)
	if err != nil {
		b.typeError(a, "true or false", err)
		return def
	}
	return s.True()
}

// integer reads a whole number within [lo, hi].
func (b *body) integer(name string, def, lo, hi int) int {
	v, a, ok := b.value(name)
	if !ok {
		return def
	}
	n, ok := b.toInt(a, v, lo, hi)
	if !ok {
		return def
	}
	return n
}

func (b *body) toInt(a *hcl.Attribute, v cty.Value, lo, hi int) (int, bool) {
	nv, err := convert.Convert(v, cty.Number)
	if err != nil {
		b.typeError(a, "a whole number", err)
		return 0, false
	}
	f := nv.AsBigFloat()
	if !f.IsInt() || f.Cmp(big.NewFloat(float64(lo))) < 0 || f.Cmp(big.NewFloat(float64(hi))) > 0 {
		b.errorAt(a.Expr.Range(), "Value out of range",
			fmt.Sprintf("%s in %s must be a whole number from %d to %d; got %s.", a.Name, b.what, lo, hi, f.Text('g', -1)))
		return 0, false
	}
	i, _ := f.Int64()
	return int(i), true
}

// number reads a real number within [lo, hi].
func (b *body) number(name string, def, lo, hi float64) float64 {
	v, a, ok := b.value(name)
	if !ok {
		return def
	}
	nv, err := convert.Convert(v, cty.Number)
	if err != nil {
		b.typeError(a, "a number", err)
		return def
	}
	f, _ := nv.AsBigFloat().Float64()
	if f < lo || f > hi {
		b.errorAt(a.Expr.Range(), "Value out of range", fmt.Sprintf("%s in %s must be from %g to %g; got %g.", name, b.what, lo, hi, f))
		return def
	}
	return f
}

// duration reads a Go/Terraform duration string ("5s", "1m30s") of at least
// lo.
func (b *body) duration(name string, def, lo time.Duration) schema.Duration {
	v, a, ok := b.value(name)
	if !ok {
		return schema.Duration(def)
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil || v.Type() != cty.String {
		b.errorAt(a.Expr.Range(), "Invalid duration",
			fmt.Sprintf("%s in %s must be a duration string such as \"5s\", \"250ms\" or \"1m30s\" (a bare number has no unit).", name, b.what))
		return schema.Duration(def)
	}
	d, err := time.ParseDuration(s.AsString())
	if err != nil {
		b.errorAt(a.Expr.Range(), "Invalid duration",
			fmt.Sprintf("%s in %s: %q is not a duration. Write a number with a unit (ns, us, ms, s, m, h), e.g. \"5s\" or \"1m30s\".", name, b.what, s.AsString()))
		return schema.Duration(def)
	}
	if d < lo {
		b.errorAt(a.Expr.Range(), "Value out of range", fmt.Sprintf("%s in %s must be at least %s; got %s.", name, b.what, lo, d))
		return schema.Duration(def)
	}
	return schema.Duration(d)
}

// enum reads a string that must be one of allowed.
func (b *body) enum(name, def string, allowed ...string) string {
	v, a, ok := b.value(name)
	if !ok {
		return def
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil {
		b.typeError(a, "a string", err)
		return def
	}
	for _, x := range allowed {
		if s.AsString() == x {
			return x
		}
	}
	b.errorAt(a.Expr.Range(), "Invalid value",
		fmt.Sprintf("%s in %s must be one of %q; got %q.%s", name, b.what, allowed, s.AsString(), didYouMean(s.AsString(), allowed)))
	return def
}

// strings reads a list of strings.
func (b *body) strings(name string) []string {
	v, a, ok := b.value(name)
	if !ok {
		return nil
	}
	if out, ok := plainStrings(v); ok {
		return out
	}
	lv, err := convert.Convert(v, cty.List(cty.String))
	if err != nil {
		b.typeError(a, "a list of strings", err)
		return nil
	}
	var out []string
	for _, e := range lv.AsValueSlice() {
		if e.IsNull() {
			b.errorAt(a.Expr.Range(), "Invalid value", fmt.Sprintf("%s in %s may not contain null.", name, b.what))
			return nil
		}
		out = append(out, e.AsString())
	}
	return out
}

// stringMap reads a map of strings (nil when empty).
func (b *body) stringMap(name string) map[string]string {
	v, a, ok := b.value(name)
	if !ok {
		return nil
	}
	if out, ok := plainStringMap(v); ok {
		return out
	}
	mv, err := convert.Convert(v, cty.Map(cty.String))
	if err != nil {
		b.typeError(a, "a map of strings", err)
		return nil
	}
	if mv.LengthInt() == 0 {
		return nil
	}
	out := map[string]string{}
	for k, e := range mv.AsValueMap() {
		if e.IsNull() {
			b.errorAt(a.Expr.Range(), "Invalid value", fmt.Sprintf("%s in %s: key %q is null.", name, b.what, k))
			continue
		}
		out[k] = e.AsString()
	}
	return out
}

// plainStrings and plainStringMap are the fast paths of strings and
// stringMap for the usual case, a tuple or object whose elements are all
// non-null strings: they read the elements directly instead of building a
// converted copy first. ok is false for anything else (numbers to convert,
// nulls to report), which then goes through convert as before.
func plainStrings(v cty.Value) ([]string, bool) {
	t := v.Type()
	if !t.IsTupleType() && !t.Equals(cty.List(cty.String)) {
		return nil, false
	}
	n := v.LengthInt()
	if n == 0 {
		return nil, true
	}
	out := make([]string, 0, n)
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if !e.Type().Equals(cty.String) || e.IsNull() {
			return nil, false
		}
		out = append(out, e.AsString())
	}
	return out, true
}

func plainStringMap(v cty.Value) (map[string]string, bool) {
	t := v.Type()
	if !t.IsObjectType() && !t.Equals(cty.Map(cty.String)) {
		return nil, false
	}
	n := v.LengthInt()
	if n == 0 {
		return nil, true
	}
	out := make(map[string]string, n)
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if !e.Type().Equals(cty.String) || e.IsNull() {
			return nil, false
		}
		out[k.AsString()] = e.AsString()
	}
	return out, true
}

// quantity checks s as a Kubernetes quantity and returns it as written.
func (b *body) quantity(a *hcl.Attribute, field, s string) (string, bool) {
	q, err := resource.ParseQuantity(s)
	if err != nil {
		b.errorAt(a.Expr.Range(), "Invalid quantity",
			fmt.Sprintf("%s in %s: %q is not a Kubernetes quantity. Use e.g. \"250m\" or \"1\" for CPU and \"512Mi\" or \"1Gi\" for memory.", field, b.what, s))
		return "", false
	}
	if q.Sign() < 0 {
		b.errorAt(a.Expr.Range(), "Invalid quantity", fmt.Sprintf("%s in %s must not be negative; got %q.", field, b.what, s))
		return "", false
	}
	return s, true
}

// ref reads an attribute that must be a reference to a block of kind
// (`redis = redis.main`) and returns the block's name.
func (b *body) ref(name, kind string) string {
	v, a, ok := b.value(name)
	if !ok {
		return ""
	}
	r, ok := b.toRef(a, v, kind)
	if !ok {
		return ""
	}
	return r.Name
}

// refs reads a list of references to blocks of the given kinds, sorted and
// without repeats.
func (b *body) refs(name string, kinds ...string) []schema.Ref {
	v, a, ok := b.value(name)
	if !ok {
		return nil
	}
	if !v.Type().IsTupleType() && !v.Type().IsListType() && !v.Type().IsSetType() {
		b.typeError(a, fmt.Sprintf("a list of references such as [%s.example]", kinds[0]), nil)
		return nil
	}
	seen := map[schema.Ref]bool{}
	var out []schema.Ref
	for _, e := range v.AsValueSlice() {
		r, ok := b.toRef(a, e, kinds...)
		if ok && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func (b *body) toRef(a *hcl.Attribute, v cty.Value, kinds ...string) (schema.Ref, bool) {
	want := fmt.Sprintf("a reference to a %s block, such as %s.example (not a string)", kinds[0], kinds[0])
	if len(kinds) > 1 {
		want = fmt.Sprintf("a list of references to %v blocks, such as %s.example", kinds, kinds[0])
	}
	if v.IsNull() || !v.Type().IsObjectType() || !v.Type().HasAttribute("kind") || !v.Type().HasAttribute("name") {
		b.typeError(a, want, nil)
		return schema.Ref{}, false
	}
	r := schema.Ref{Kind: v.GetAttr("kind").AsString(), Name: v.GetAttr("name").AsString()}
	for _, k := range kinds {
		if r.Kind == k {
			return r, true
		}
	}
	b.errorAt(a.Expr.Range(), "Wrong kind of reference",
		fmt.Sprintf("%s in %s must refer to a %v block; %s is a %s.", a.Name, b.what, kinds, r, r.Kind))
	return schema.Ref{}, false
}

// single returns the one nested block of type typ, or nil; a repeated
// block is an error at the second one.
func (b *body) single(typ string) *hcl.Block {
	var found *hcl.Block
	for _, blk := range b.c.Blocks {
		if blk.Type != typ {
			continue
		}
		if found != nil {
			b.errorAt(blk.DefRange, "Duplicate "+typ+" block",
				fmt.Sprintf("%s already has a %s block at %s; merge them into one.", b.what, typ, found.DefRange))
			continue
		}
		found = blk
		b.src.Set(typ, blk.DefRange)
	}
	return found
}

// labeled returns the nested blocks of type typ with distinct labels, in
// declaration order; a repeated label is an error at the second block.
func (b *body) labeled(typ string) []*hcl.Block {
	seen := map[string]*hcl.Block{}
	var out []*hcl.Block
	for _, blk := range b.c.Blocks {
		if blk.Type != typ {
			continue
		}
		if prev := seen[blk.Labels[0]]; prev != nil {
			b.errorAt(blk.DefRange, "Duplicate "+typ+" block",
				fmt.Sprintf("%s already has %s %q at %s; each label is used once.", b.what, typ, blk.Labels[0], prev.DefRange))
			continue
		}
		seen[blk.Labels[0]] = blk
		out = append(out, blk)
	}
	return out
}

// checkDynamicForEach checks the references of every dynamic block's
// for_each statically, as for attributes, so a typo there gets the same
// "did you mean" instead of a bare evaluation error.
// It returns the ranges of the for_each expressions that failed.
func (l *loader) checkDynamicForEach(b hcl.Body) []hcl.Range {
	var bad []hcl.Range
	c, _, _ := b.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "dynamic", LabelNames: []string{"type"}}}})
	for _, d := range c.Blocks {
		inner, _, _ := d.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "for_each"}}})
		if a := inner.Attributes["for_each"]; a != nil {
			_, diags := l.cfg.references(a.Expr, nil, "")
			l.add(diags...)
			if diags.HasErrors() {
				bad = append(bad, a.Expr.Range())
			}
		}
	}
	return bad
}

// dropWithin removes diagnostics about ranges already reported (the
// evaluation error of a for_each whose reference was found wrong).
func dropWithin(diags hcl.Diagnostics, bad []hcl.Range) hcl.Diagnostics {
	if len(bad) == 0 {
		return diags
	}
	out := diags[:0]
	for _, d := range diags {
		reported := false
		for _, r := range bad {
			if d.Subject != nil && d.Subject.Filename == r.Filename && r.ContainsOffset(d.Subject.Start.Byte) {
				reported = true
			}
		}
		if !reported {
			out = append(out, d)
		}
	}
	return out
}
