package main

import (
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit"
	"github.com/nbac/nbac/emit/build"
	"github.com/nbac/nbac/lang"
	"github.com/nbac/nbac/schema"
)

// compiled is a configuration loaded and run through every emitter.
type compiled struct {
	files map[string]*hcl.File
	diags hcl.Diagnostics
	arts  []emit.Artifact // nil when diags has errors
	model *schema.Model   // nil when diags has errors (nbac plan -live, apply)
}

// compile loads the configuration at path and, when it is valid, runs the
// emitters in memory. Nothing is written.
func compile(path string, in inputFlags) compiled {
	warmHeap(lang.SourceSize(path))
	res := lang.Load(path, lang.Options{
		Vars:     in.vars,
		VarFiles: in.varFiles,
		Environ:  os.Environ(),
		AllowEnv: in.allowEnv,
	})
	c := compiled{files: res.Files, diags: res.Diags}
	if res.Model == nil || c.diags.HasErrors() {
		return c
	}
	arts, diags := build.Artifacts(res.Model)
	c.diags = append(c.diags, diags...)
	if !c.diags.HasErrors() {
		c.arts, c.model = arts, res.Model
	}
	return c
}

// defaultOutDir is `out` beside PATH: `nbac build infra/` writes ./out,
// `nbac build infra/main.hcl` writes infra/out.
func defaultOutDir(path string) string {
	return filepath.Join(filepath.Dir(filepath.Clean(path)), "out")
}
