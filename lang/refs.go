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
	"gateway":       "gateway",
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
	vars := variables(expr)
	if len(vars) == 0 {
		return nil, nil
	}
	var refs []reference
	var diags hcl.Diagnostics
	for _, t := range vars {
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

// variables returns expr.Variables(): the root traversals expr uses, in
// the order HCL's walk visits them (diagnostics follow that order). For the
// node types configurations are made of it walks the syntax tree itself,
// without the allocations of hclsyntax.Walk; on anything else (for
// expressions and splats, which bind names of their own; JSON; dynamic
// blocks' wrappers) it asks the expression.
func variables(expr hcl.Expression) []hcl.Traversal {
	if e, ok := expr.(hclsyntax.Expression); ok {
		if out, ok := appendVariables(nil, e); ok {
			return out
		}
	}
	return expr.Variables()
}

// appendVariables mirrors each node's walkChildNodes in hclsyntax; ok is
// false at the first node type it does not know.
func appendVariables(out []hcl.Traversal, expr hclsyntax.Expression) ([]hcl.Traversal, bool) {
	ok := true
	walk := func(e hclsyntax.Expression) {
		if ok {
			out, ok = appendVariables(out, e)
		}
	}
	switch e := expr.(type) {
	case *hclsyntax.LiteralValueExpr:
	case *hclsyntax.ScopeTraversalExpr:
		out = append(out, e.Traversal)
	case *hclsyntax.TemplateExpr:
		for _, p := range e.Parts {
			walk(p)
		}
	case *hclsyntax.TemplateWrapExpr:
		walk(e.Wrapped)
	case *hclsyntax.TemplateJoinExpr:
		walk(e.Tuple)
	case *hclsyntax.FunctionCallExpr:
		for _, a := range e.Args {
			walk(a)
		}
	case *hclsyntax.TupleConsExpr:
		for _, x := range e.Exprs {
			walk(x)
		}
	case *hclsyntax.ObjectConsExpr:
		for _, item := range e.Items {
			walk(item.KeyExpr)
			walk(item.ValueExpr)
		}
	case *hclsyntax.ObjectConsKeyExpr:
		// A bare key (name = ...) is a literal name, not a reference.
		if hcl.ExprAsKeyword(e.Wrapped) == "" {
			walk(e.Wrapped)
		}
	case *hclsyntax.RelativeTraversalExpr:
		walk(e.Source)
	case *hclsyntax.IndexExpr:
		walk(e.Collection)
		walk(e.Key)
	case *hclsyntax.ParenthesesExpr:
		walk(e.Expression)
	case *hclsyntax.ConditionalExpr:
		walk(e.Condition)
		walk(e.TrueResult)
		walk(e.FalseResult)
	case *hclsyntax.BinaryOpExpr:
		walk(e.LHS)
		walk(e.RHS)
	case *hclsyntax.UnaryOpExpr:
		walk(e.Val)
	default:
		return out, false
	}
	return out, ok
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
