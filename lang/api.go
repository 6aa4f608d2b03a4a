package lang

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/nbac/nbac/schema"
)

// Options are the inputs a configuration is compiled with besides its files.
type Options struct {
	// Vars are -var arguments, "name=value", in command-line order.
	Vars []string
	// VarFiles are -var-file paths (.nbvars, attribute syntax), in order.
	VarFiles []string
	// Environ is the process environment as "KEY=value" pairs; nil means
	// none. NBAC_VAR_<name> entries set variables; env() reads only the
	// names the project block allows (or AllowEnv adds).
	Environ []string
	// AllowEnv adds names env() may read (the CLI's -allow-env flag).
	AllowEnv []string
	// Overlay holds unsaved file contents by path (an editor's buffers):
	// a path here is read from the map instead of the disk, and one in the
	// configuration's directory that is not on disk yet is loaded as well.
	// Paths are compared after filepath.Clean; nil means the disk alone.
	Overlay map[string][]byte
}

// Result is a compilation's outcome. Files holds every parsed file (the
// configuration's and var files') so diagnostics can be rendered with
// source snippets. Model is nil when Diags has errors.
type Result struct {
	Model *schema.Model
	Files map[string]*hcl.File
	Diags hcl.Diagnostics
	// Roots are the values expressions could refer to once variables and
	// locals were evaluated, by root name ("var", "local", "service", ...);
	// sensitive values keep their marks. nil when loading stopped earlier.
	Roots map[string]cty.Value
}

// Load compiles the configuration at path: one .hcl/.hcl.json file, or a
// directory whose *.hcl and *.hcl.json files form one configuration (in any
// order). It never panics on bad input: every problem is a diagnostic.
func Load(path string, opts Options) *Result {
	return load(path, opts)
}
