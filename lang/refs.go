package lang

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// rootDescriptions names each reference root in diagnostics.
var rootDescriptions = map[string]string{
	"var":           "input variable",
	"local":         "local value",
	"service":       "service",
	"load_balancer": "load balancer",
	"redis":         "redis block",
	"cache":         "cache",
	"broker":        "broker",
	"queue":         "queue",
}

// reference is one KIND.NAME reference found statically in an expression.
type reference struct {
	root, name string
	rng        hcl.Range
}

// references extracts the references of expr and checks each against what
// the configuration declares. allowed limits the roots an expression may use
// (a variable's validation may only read variables); nil allows all. It
// returns the references and whether all of them were valid.
func (cfg *config) references(expr hcl.Expression, allowed map[string]bool, where string) ([]reference, hcl.Diagnostics) {
	if isConstant(expr) {
		return nil, nil
	}
	var refs []reference
	var diags hcl.Diagnostics
	for _, t := range expr.Variables() {
		root := t.RootName()
		rng := t.SourceRange()
		names, known := cfg.names[root]
		if !known {
			roots := make([]string, 0, len(cfg.names))
			for r := range cfg.names {
				roots = append(roots, r)
			}
			sort.Strings(roots)
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unknown reference",
				Detail:   fmt.Sprintf("There is nothing called %q. References start with one of %v.%s%s", root, roots, didYouMean(root, roots), terraformHint[root]),
				Subject:  rng.Ptr(),
			})
			continue
		}
		if allowed != nil && !allowed[root] {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Reference not allowed here",
				Detail:   fmt.Sprintf("%s may not refer to %s values; only %s.", where, rootDescriptions[root], allowedList(allowed)),
				Subject:  rng.Ptr(),
			})
			continue
		}
		var name string
		if len(t) > 1 {
			if a, ok := t[1].(hcl.TraverseAttr); ok {
				name = a.Name
			}
		}
		if name == "" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid reference",
				Detail:   fmt.Sprintf("A reference to a %s must name one, such as %s.example.", rootDescriptions[root], root),
				Subject:  rng.Ptr(),
			})
			continue
		}
		if _, ok := names[name]; !ok {
			candidates := make([]string, 0, len(names))
			for n := range names {
				candidates = append(candidates, n)
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Reference to undeclared " + rootDescriptions[root],
				Detail:   fmt.Sprintf("No %s named %q is declared.%s", rootDescriptions[root], name, didYouMean(name, candidates)+declareHint(root, name)),
				Subject:  rng.Ptr(),
			})
			continue
		}
		refs = append(refs, reference{root: root, name: name, rng: rng})
	}
	return refs, diags
}

// isConstant reports whether expr is built only of literals (a string,
// number or bool, a template without interpolation, lists and objects of
// those), so it references nothing. Most attributes are; recognizing them
// skips Variables(), whose walk allocates. It answers false whenever
// unsure, and references then walks as usual.
func isConstant(expr hcl.Expression) bool {
	switch e := expr.(type) {
	case *hclsyntax.LiteralValueExpr:
		return true
	case *hclsyntax.TemplateExpr:
		for _, p := range e.Parts {
			if _, ok := p.(*hclsyntax.LiteralValueExpr); !ok {
				return false
			}
		}
		return true
	case *hclsyntax.TupleConsExpr:
		for _, x := range e.Exprs {
			if !isConstant(x) {
				return false
			}
		}
		return true
	case *hclsyntax.ObjectConsExpr:
		for _, item := range e.Items {
			if !isConstant(item.ValueExpr) {
				return false
			}
			// A bare key (name = ...) is a literal name, which Variables()
			// does not walk either; anything else must be constant itself.
			k, ok := item.KeyExpr.(*hclsyntax.ObjectConsKeyExpr)
			if !ok {
				return false
			}
			if hcl.ExprAsKeyword(k.Wrapped) == "" && !isConstant(k.Wrapped) {
				return false
			}
		}
		return true
	}
	return false
}

func declareHint(root, name string) string {
	switch root {
	case "var":
		return fmt.Sprintf(" Declare it with variable %q {}.", name)
	case "local":
		return " Define it in a locals block."
	}
	return fmt.Sprintf(" Declare it with %s %q {}.", root, name)
}

func allowedList(allowed map[string]bool) string {
	if len(allowed) == 0 {
		return "literal values and function calls are allowed"
	}
	var out []string
	for k := range allowed {
		out = append(out, k+".*")
	}
	sort.Strings(out)
	return fmt.Sprint(out)
}

// terraformHint explains Terraform names that nbac deliberately lacks.
var terraformHint = map[string]string{
	"path":      " nbac has no path object: file() already reads relative to the configuration directory.",
	"each":      " Top-level blocks have no for_each; generate nested blocks with a dynamic block instead.",
	"count":     " Blocks have no count; use replicas, or a dynamic block for nested blocks.",
	"self":      " nbac has no self references; use a local value shared by both places.",
	"terraform": " There are no workspaces; pass the environment as a variable (-var-file).",
}
