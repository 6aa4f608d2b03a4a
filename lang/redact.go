package lang

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Secrets never reach a diagnostic. Three mechanisms see to it, each at the
// place a value could slip out:
//
//   - redactSensitive (through loader.add, which every diagnostic passes):
//     a diagnostic produced while evaluating an expression that reads a
//     sensitive value loses its Detail, because hcl and cty spell the
//     offending value there ("cannot parse \"hunter2\" as a base 10
//     integer"). cty carries marks through every operation, but a
//     function's error is built from the unmarked argument.
//   - maskSecretSource: the diagnostics' copy of a file has the text of a
//     sensitive variable's default, var-file value or -var/NBAC_VAR_ value
//     overwritten, so that no snippet (text or -json) can show it, whatever
//     diagnostic points there.
//   - the variable code itself never formats a sensitive variable's raw
//     value into a message (variables.go), and dynamic blocks refuse a
//     sensitive for_each (checkForEachNotSensitive), the one place hcl
//     strips a value's marks.

// sensitiveHidden ends the Detail of a redacted diagnostic.
const sensitiveHidden = "(sensitive value) The details are hidden because the expression uses a sensitive value"

// redactSensitive rewrites the diagnostics whose expression, evaluated in
// their own context, reads a sensitive value, and, when outer is given
// (the whole expression being evaluated, in ctx), every diagnostic of an
// expression that reads one. The outer check is needed because hcl
// attaches to an error the innermost expression and its context, and that
// context may hold a secret unmarked: a `for` expression strips the marks
// of the collection it iterates, so `{for k in var.secret : k => 1}`
// reports a duplicate key with k, unmarked, in its context and its value
// in the detail.
func redactSensitive(diags hcl.Diagnostics, outer hcl.Expression, ctx *hcl.EvalContext) hcl.Diagnostics {
	var out hcl.Diagnostics
	var outerNames []string
	if outer != nil && ctx != nil && len(diags) > 0 {
		outerNames = sensitiveReads(outer, ctx)
	}
	for i, d := range diags {
		names := outerNames
		if d.Expression != nil && d.EvalContext != nil {
			names = mergeNames(names, sensitiveReads(d.Expression, d.EvalContext))
		}
		if len(names) == 0 {
			continue
		}
		if out == nil {
			out = append(hcl.Diagnostics(nil), diags...)
		}
		cp := *d
		cp.Detail = fmt.Sprintf("%s (%s).", sensitiveHidden, strings.Join(names, ", "))
		// The renderers print the values of the expression's variables
		// from EvalContext; drop it so no renderer has to be trusted.
		cp.EvalContext = nil
		out[i] = &cp
	}
	if out == nil {
		return diags
	}
	return out
}

// sensitiveReads names the variables expr reads whose values (in ctx) are
// or contain a sensitive value, sorted. A traversal that cannot be followed
// statically counts from its root, so the answer errs on the safe side.
func sensitiveReads(expr hcl.Expression, ctx *hcl.EvalContext) []string {
	var names []string
	seen := map[string]bool{}
	for _, tr := range expr.Variables() {
		v, diags := tr.TraverseAbs(ctx)
		if diags.HasErrors() {
			// Follow as far as possible: the root at least.
			v, diags = hcl.Traversal{tr[0]}.TraverseAbs(ctx)
			if diags.HasErrors() {
				continue
			}
		}
		if v == cty.NilVal || !v.ContainsMarked() {
			continue
		}
		name := traversalName(tr)
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// traversalName spells the static part of a traversal: var.db, local.x.y.
func traversalName(tr hcl.Traversal) string {
	var b strings.Builder
	for _, step := range tr {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		default:
			return b.String()
		}
	}
	return b.String()
}

// checkForEachNotSensitive is the dynamic blocks' for_each check (hcl's
// dynblock.OptCheckForEach). dynblock unmarks for_each before iterating,
// so a sensitive collection would hand its elements, unmarked, to the
// labels and count of the generated blocks, which are written to artifacts
// (and to diagnostics), while every attribute of the content would be
// marked and reported instead. Refusing it here reports the one real
// mistake, at for_each.
func checkForEachNotSensitive(v cty.Value, expr hcl.Expression, ctx *hcl.EvalContext) hcl.Diagnostics {
	if !v.ContainsMarked() {
		return nil
	}
	detail := "for_each of a dynamic block comes from a sensitive value. The number of generated blocks and their labels are written in plain text to model.json and the artifacts, so they cannot depend on a secret."
	if names := sensitiveReads(expr, ctx); len(names) > 0 {
		detail += fmt.Sprintf(" It reads %s.", strings.Join(names, ", "))
	}
	return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Sensitive value in for_each",
		Detail: detail, Subject: expr.Range().Ptr()}}
}

// explainMarkedLabels rewrites hcl's generic message for a dynamic block
// label that carries a mark.
func explainMarkedLabels(diags hcl.Diagnostics) {
	for _, d := range diags {
		if d.Summary == "Invalid dynamic block label" && strings.Contains(d.Detail, "marks") {
			d.Detail = "This label comes from a sensitive value. Block labels are written in plain text to model.json and the artifacts, so they cannot be secret."
			d.EvalContext = nil
		}
	}
}

// maskSecretSource returns files with the bytes inside secret overwritten
// by '*' (line breaks kept, so every other position and snippet stays
// where it was). Only the files touched are copied.
func maskSecretSource(files map[string]*hcl.File, secret []hcl.Range) {
	copied := map[string]bool{}
	for _, r := range secret {
		f := files[r.Filename]
		if f == nil || r.End.Byte > len(f.Bytes) || r.Start.Byte > r.End.Byte {
			continue
		}
		if !copied[r.Filename] {
			cp := *f
			cp.Bytes = append([]byte(nil), f.Bytes...)
			f = &cp
			files[r.Filename] = f
			copied[r.Filename] = true
		}
		maskBytes(f.Bytes[r.Start.Byte:r.End.Byte])
	}
}

func maskBytes(b []byte) {
	for i, c := range b {
		if c != '\n' && c != '\r' {
			b[i] = '*'
		}
	}
}

// sensitiveDynamicExprs returns the ranges of the for_each and labels
// expressions of b's dynamic blocks that read a sensitive value. dynblock
// evaluates them itself, and an error inside a `for` expression there
// carries the unmarked element in its detail and context (see
// redactSensitive), so open redacts what is reported within these ranges.
func (l *loader) sensitiveDynamicExprs(b hcl.Body) []hcl.Range {
	var out []hcl.Range
	c, _, _ := b.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "dynamic", LabelNames: []string{"type"}}}})
	for _, d := range c.Blocks {
		inner, _, _ := d.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "for_each"}, {Name: "labels"}}})
		for _, a := range inner.Attributes {
			if len(sensitiveReads(a.Expr, l.ctx)) > 0 {
				out = append(out, a.Expr.Range())
			}
		}
	}
	return out
}

// redactWithin redacts the diagnostics located inside one of secret.
func redactWithin(diags hcl.Diagnostics, secret []hcl.Range) hcl.Diagnostics {
	if len(secret) == 0 {
		return diags
	}
	out := make(hcl.Diagnostics, len(diags))
	for i, d := range diags {
		out[i] = d
		if d.Subject == nil {
			continue
		}
		for _, r := range secret {
			if d.Subject.Filename == r.Filename && r.ContainsOffset(d.Subject.Start.Byte) {
				cp := *d
				cp.Detail = sensitiveHidden + "."
				cp.EvalContext = nil
				out[i] = &cp
				break
			}
		}
	}
	return out
}
