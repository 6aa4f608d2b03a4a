package lang

import (
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"

	"github.com/nbac/nbac/schema"
	"github.com/nbac/nbac/schema/validate"
	"github.com/nbac/nbac/stdlib"
)

// load runs the front-end's passes: parse, decode structure, resolve
// variables, evaluate locals, lower blocks, then the model's semantic
// checks. Each pass stops the pipeline only when continuing would repeat
// the same mistake as new, confusing errors.
func load(path string, opts Options) *Result {
	res := &Result{}
	p := hclparse.NewParser()
	l := &loader{opts: opts, envReads: &nameSet{names: map[string]bool{}}, extraFiles: map[string]*hcl.File{}}
	defer func() {
		res.Files = p.Files()
		for name, f := range res.Files {
			res.Files[name] = forDiagnostics(f)
		}
		for name, f := range l.extraFiles {
			res.Files[name] = f
		}
		maskSecretSource(res.Files, l.secretSource)
		res.Diags = l.diags
	}()

	dir, names, diags := configFiles(path, opts.Overlay)
	l.add(diags...)
	if diags.HasErrors() {
		return res
	}
	files, diags := parseAll(p, names, opts.Overlay)
	l.add(diags...)
	if l.diags.HasErrors() {
		return res // syntax errors: anything decoded further would mislead
	}
	// A structural mistake (an unknown or duplicate block, a bad block
	// name) leaves that block out; the rest is still checked, so that one
	// run reports every mistake.
	cfg, diags := decodeConfig(files)
	l.add(diags...)
	l.cfg = cfg

	l.ctx = &hcl.EvalContext{Variables: map[string]cty.Value{}}
	pb, project := l.openProject()

	root, err := os.OpenRoot(dir)
	if err == nil {
		defer root.Close()
	}
	env := environMap(opts.Environ)
	l.funcs = stdlib.Functions(stdlib.Options{
		Root:      root,
		AllowEnv:  mergeNames(project.AllowEnv, opts.AllowEnv),
		Getenv:    func(name string) (string, bool) { v, ok := env[name]; return v, ok },
		OnEnvRead: l.envReads.add,
	})
	l.ctx.Functions = l.funcs

	vars := l.resolveVariables(p)
	l.ctx.Variables["var"] = varObject(vars)
	l.checkValidations(vars)
	l.ctx.Variables["var"] = varObject(vars)
	l.evalLocals()
	for k, v := range l.blockRefObjects() {
		l.ctx.Variables[k] = v
	}
	l.freezeScopes()
	res.Roots = l.ctx.Variables

	m := &schema.Model{Version: schema.Version}
	l.lowerProject(pb, project)
	m.Project = *project
	l.lowerBlocks(m)
	for n := range l.envReads.names {
		m.EnvReads = append(m.EnvReads, n)
	}
	sort.Strings(m.EnvReads)
	// The semantic checks run even when lowering found mistakes, so that
	// one run reports everything; only what they say about the blocks
	// that already failed is dropped.
	l.add(l.withoutFailedBlocks(validate.Model(m))...)
	if !l.diags.HasErrors() {
		res.Model = m
	}
	return res
}

// environMap indexes "KEY=value" pairs; a later pair wins, as in a shell.
func environMap(environ []string) map[string]string {
	out := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k] = v
		}
	}
	return out
}

func mergeNames(a, b []string) []string {
	out := append(append([]string(nil), a...), b...)
	sort.Strings(out)
	return slices.Compact(out)
}
