package lang

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// evalLocals evaluates every local value in dependency order, extending
// l.ctx's `local` object as it goes. Locals in a cycle are reported once per
// cycle, with every range in it, and stay unknown.
func (l *loader) evalLocals() {
	byName := map[string]*hcl.Attribute{}
	deps := map[string][]string{}
	bad := map[string]bool{}
	for _, a := range l.cfg.locals {
		byName[a.Name] = a
		refs, d := l.cfg.references(a.Expr, nil, "")
		if d.HasErrors() {
			l.add(d...)
			bad[a.Name] = true
		}
		for _, r := range refs {
			if r.root == "local" {
				deps[a.Name] = append(deps[a.Name], r.name)
			}
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)

	order, cycles := topoSort(names, deps)
	for _, cyc := range cycles {
		l.add(cycleDiagnostic(cyc, byName, deps))
		for _, n := range cyc {
			bad[n] = true
		}
	}
	values := map[string]cty.Value{}
	for _, n := range names {
		values[n] = cty.DynamicVal // unknown until evaluated (or forever, if broken)
	}
	for _, n := range order {
		if bad[n] {
			continue
		}
		l.ctx.Variables["local"] = cty.ObjectVal(values)
		v, ok := l.eval(byName[n].Expr, nil, "")
		if ok {
			values[n] = v
		}
	}
	l.ctx.Variables["local"] = cty.ObjectVal(values)
}

// topoSort orders names so each comes after what it depends on, and returns
// the strongly connected components that are cycles (Tarjan's algorithm),
// each sorted by name. Iteration is over sorted names, so the result is the
// same for any file order.
func topoSort(names []string, deps map[string][]string) (order []string, cycles [][]string) {
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	next := 0
	var visit func(n string)
	visit = func(n string) {
		index[n], low[n] = next, next
		next++
		stack = append(stack, n)
		onStack[n] = true
		ds := append([]string(nil), deps[n]...)
		sort.Strings(ds)
		for _, d := range ds {
			if _, seen := index[d]; !seen {
				visit(d)
				low[n] = min(low[n], low[d])
			} else if onStack[d] {
				low[n] = min(low[n], index[d])
			}
		}
		if low[n] != index[n] {
			return
		}
		var scc []string
		for {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[top] = false
			scc = append(scc, top)
			if top == n {
				break
			}
		}
		selfLoop := false
		for _, d := range deps[n] {
			if d == n {
				selfLoop = true
			}
		}
		if len(scc) > 1 || selfLoop {
			sort.Strings(scc)
			cycles = append(cycles, scc)
		}
		// Tarjan emits components in reverse topological order of the
		// condensation, i.e. dependencies first: exactly evaluation order.
		order = append(order, scc...)
	}
	for _, n := range names {
		if _, seen := index[n]; !seen {
			visit(n)
		}
	}
	return order, cycles
}

func cycleDiagnostic(cyc []string, byName map[string]*hcl.Attribute, deps map[string][]string) *hcl.Diagnostic {
	in := map[string]bool{}
	for _, n := range cyc {
		in[n] = true
	}
	var lines []string
	for _, n := range cyc {
		a := byName[n]
		var to []string
		for _, d := range deps[n] {
			if in[d] {
				to = append(to, "local."+d)
			}
		}
		sort.Strings(to)
		lines = append(lines, fmt.Sprintf("  local.%s (%s) refers to %s", n, a.NameRange, strings.Join(to, ", ")))
	}
	first := byName[cyc[0]]
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Cycle in local values",
		Detail: fmt.Sprintf("These local values depend on each other, so none of them can be evaluated:\n%s\nBreak the cycle by making one of them independent of the others.",
			strings.Join(lines, "\n")),
		Subject: first.NameRange.Ptr(),
		Context: hcl.RangeBetween(first.NameRange, first.Expr.Range()).Ptr(),
	}
}
