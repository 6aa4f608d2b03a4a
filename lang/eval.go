package lang

import (
	"sync"

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
	// envReads collects the names env() read, for Model.EnvReads. It is
	// shared by the forks that lower blocks concurrently.
	envReads *nameSet
	// bare and single are the shared contexts of scope, nil until
	// freezeScopes.
	bare   *hcl.EvalContext
	single map[string]*hcl.EvalContext
	// extraFiles are pseudo-files (the text of -var values) kept so their
	// diagnostics render with a snippet.
	extraFiles map[string]*hcl.File
	// secretSource are the source ranges that hold the text of a
	// sensitive variable's value; the diagnostics' copies of the files
	// have them masked (maskSecretSource).
	secretSource []hcl.Range
	// failed are the top-level blocks whose lowering reported an error;
	// the model's semantic checks still run, but say nothing about them
	// (their values are partly defaults standing in for the mistakes).
	failed []*hcl.Block
	// stale is set when an expression evaluated to an unknown value
	// because something it reads already failed (a variable's validation,
	// a local): the block it belongs to then counts as failed too, since
	// the default standing in for that value is no input to check.
	stale bool
}

// add records diagnostics, with any that would show a sensitive value
// redacted (see redact.go): every diagnostic passes here.
func (l *loader) add(d ...*hcl.Diagnostic) {
	l.diags = append(l.diags, redactSensitive(d, nil, nil)...)
}

// fork returns a loader sharing l's configuration, functions and
// evaluation context but with diagnostics of its own, so that blocks can be
// lowered concurrently and their diagnostics merged in declaration order.
// Everything shared is read-only once lowering starts, except envReads,
// which locks.
func (l *loader) fork() *loader {
	f := *l
	f.diags = nil
	f.stale = false
	return &f
}

// nameSet is a set of names safe for concurrent use.
type nameSet struct {
	mu    sync.Mutex
	names map[string]bool
}

func (s *nameSet) add(name string) {
	s.mu.Lock()
	s.names[name] = true
	s.mu.Unlock()
}

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
	ctx := l.scope(refs)
	v, d := expr.Value(ctx)
	l.add(redactSensitive(d, expr, ctx)...)
	if d.HasErrors() {
		return cty.NilVal, false
	}
	if !v.IsWhollyKnown() {
		l.stale = true
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
// declare a dependency on. The values are shared, not copied, and so are
// the contexts for no root and for a single root once the roots are final
// (see freezeScopes): evaluation only reads a context.
func (l *loader) scope(refs []reference) *hcl.EvalContext {
	if len(refs) == 0 {
		if l.bare != nil {
			return l.bare
		}
		return &hcl.EvalContext{Functions: l.ctx.Functions}
	}
	if l.single != nil && sameRoot(refs) {
		if c, ok := l.single[refs[0].root]; ok {
			return c
		}
	}
	vars := make(map[string]cty.Value, 2)
	for _, r := range refs {
		if v, ok := l.ctx.Variables[r.root]; ok {
			vars[r.root] = v
		}
	}
	return &hcl.EvalContext{Variables: vars, Functions: l.ctx.Functions}
}

func sameRoot(refs []reference) bool {
	for _, r := range refs[1:] {
		if r.root != refs[0].root {
			return false
		}
	}
	return true
}

// freezeScopes builds the shared contexts scope hands out, once every root
// has its final value (after locals and block references, before lowering).
func (l *loader) freezeScopes() {
	l.bare = &hcl.EvalContext{Functions: l.ctx.Functions}
	l.single = make(map[string]*hcl.EvalContext, len(l.ctx.Variables))
	for root, v := range l.ctx.Variables {
		l.single[root] = &hcl.EvalContext{Variables: map[string]cty.Value{root: v}, Functions: l.ctx.Functions}
	}
}
