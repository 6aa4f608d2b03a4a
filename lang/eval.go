package lang

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// loader carries one compilation: the decoded configuration, the evaluation
// context as it grows (functions, then var, then local, then block
// references), and the diagnostics found so far.
type loader struct {
	cfg   *config
	opts  Options
	funcs map[string]function.Function
	ctx   *hcl.EvalContext
	diags hcl.Diagnostics
	// envReads collects the names env() read, for Model.EnvReads.
	envReads map[string]bool
	// extraFiles are pseudo-files (the text of -var values) kept so their
	// diagnostics render with a snippet.
	extraFiles map[string]*hcl.File
}

func (l *loader) add(d ...*hcl.Diagnostic) { l.diags = append(l.diags, d...) }

// eval checks the references of expr and evaluates it. ok is false when a
// diagnostic was reported or when the value depends on something that
// already failed (unknown values stand for those, so one mistake is
// reported once rather than at every use).
func (l *loader) eval(expr hcl.Expression, allowed map[string]bool, where string) (cty.Value, bool) {
	refs, d := l.cfg.references(expr, allowed, where)
	if d.HasErrors() {
		l.add(d...)
		return cty.NilVal, false
	}
	v, d := expr.Value(l.scope(refs))
	l.add(d...)
	if d.HasErrors() || !v.IsWhollyKnown() {
		return cty.NilVal, false
	}
	return v, true
}

// blockRefObjects builds the values of KIND.NAME references: an object
// {kind, name} per declared block. Attributes that take a reference (uses,
// redis, broker, backends_from) lower it to a schema.Ref; elsewhere
// "${redis.main.name}" yields the block's name.
func (l *loader) blockRefObjects() map[string]cty.Value {
	out := map[string]cty.Value{}
	for _, kind := range refKinds {
		objs := map[string]cty.Value{}
		for name := range l.cfg.names[kind] {
			objs[name] = refValue(kind, name)
		}
		out[kind] = cty.ObjectVal(objs)
	}
	return out
}

func refValue(kind, name string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"kind": cty.StringVal(kind), "name": cty.StringVal(name)})
}

// scope returns an EvalContext holding only the roots refs use (var,
// local, service, ...), so an expression cannot see what it did not
// declare a dependency on. The values are shared, not copied.
func (l *loader) scope(refs []reference) *hcl.EvalContext {
	if len(refs) == 0 {
		return &hcl.EvalContext{Functions: l.ctx.Functions}
	}
	vars := make(map[string]cty.Value, 2)
	for _, r := range refs {
		if v, ok := l.ctx.Variables[r.root]; ok {
			vars[r.root] = v
		}
	}
	return &hcl.EvalContext{Variables: vars, Functions: l.ctx.Functions}
}
