package stdlib

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// maxFileSize bounds what file() and its siblings read: configuration
// inputs are small (a Kubernetes ConfigMap holds at most 1 MiB), and a
// mistaken path to a large file should fail fast, not exhaust memory.
const maxFileSize = 4 << 20

// fileFunctions returns the functions that read files. They read only
// inside root, through os.Root, so neither "..", an absolute path nor a
// symbolic link can reach outside the configuration directory. fns is the
// table templates are evaluated with (read at call time, so templates see
// every function but templatefile itself).
func fileFunctions(root *os.Root, fns map[string]function.Function) map[string]function.Function {
	read := func(path string) ([]byte, error) { return readInRoot(root, path) }
	return map[string]function.Function{
		"file": function.New(&function.Spec{
			Description:  "Returns the contents of a UTF-8 file inside the configuration directory.",
			Params:       []function.Parameter{{Name: "path", Type: cty.String}},
			Type:         function.StaticReturnType(cty.String),
			RefineResult: refineNotNull,
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				path := args[0].AsString()
				b, err := read(path)
				if err != nil {
					return cty.UnknownVal(cty.String), function.NewArgError(0, err)
				}
				if !utf8.Valid(b) {
					return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "%s is not valid UTF-8 text; use filebase64(%s) for binary files", strconv.Quote(path), strconv.Quote(path))
				}
				return cty.StringVal(string(b)), nil
			},
		}),
		"filebase64": function.New(&function.Spec{
			Description:  "Returns the Base64-encoded contents of a file inside the configuration directory.",
			Params:       []function.Parameter{{Name: "path", Type: cty.String}},
			Type:         function.StaticReturnType(cty.String),
			RefineResult: refineNotNull,
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				b, err := read(args[0].AsString())
				if err != nil {
					return cty.UnknownVal(cty.String), function.NewArgError(0, err)
				}
				return cty.StringVal(base64.StdEncoding.EncodeToString(b)), nil
			},
		}),
		"fileexists": function.New(&function.Spec{
			Description:  "Reports whether a regular file exists at path inside the configuration directory.",
			Params:       []function.Parameter{{Name: "path", Type: cty.String}},
			Type:         function.StaticReturnType(cty.Bool),
			RefineResult: refineNotNull,
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				path := args[0].AsString()
				if err := checkLocal(root, path); err != nil {
					return cty.UnknownVal(cty.Bool), function.NewArgError(0, err)
				}
				info, err := root.Stat(path)
				switch {
				case errors.Is(err, fs.ErrNotExist):
					return cty.False, nil
				case err != nil:
					return cty.UnknownVal(cty.Bool), function.NewArgError(0, explainRootError(path, err))
				}
				return cty.BoolVal(info.Mode().IsRegular()), nil
			},
		}),
		"templatefile": function.New(&function.Spec{
			Description: "Renders a template file inside the configuration directory (HCL template syntax) with the given variables.",
			Params: []function.Parameter{
				{Name: "path", Type: cty.String},
				{Name: "vars", Type: cty.DynamicPseudoType},
			},
			Type:         function.StaticReturnType(cty.String),
			RefineResult: refineNotNull,
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				return renderTemplate(read, fns, args[0].AsString(), args[1])
			},
		}),
	}
}

func renderTemplate(read func(string) ([]byte, error), fns map[string]function.Function, path string, vars cty.Value) (cty.Value, error) {
	if ty := vars.Type(); !ty.IsObjectType() && !ty.IsMapType() {
		return cty.UnknownVal(cty.String), function.NewArgErrorf(1, "vars must be an object or a map, such as { name = \"api\" }, not %s", ty.FriendlyName())
	}
	if !vars.IsWhollyKnown() {
		return cty.UnknownVal(cty.String), nil
	}
	src, err := read(path)
	if err != nil {
		return cty.UnknownVal(cty.String), function.NewArgError(0, err)
	}
	expr, diags := hclsyntax.ParseTemplate(src, path, hcl.InitialPos)
	if diags.HasErrors() {
		return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "template %s: %s", path, strings.TrimSuffix(diags.Error(), "."))
	}
	ctxVars := map[string]cty.Value{}
	for it := vars.ElementIterator(); it.Next(); {
		k, v := it.Element()
		name := k.AsString()
		if !hclsyntax.ValidIdentifier(name) {
			return cty.UnknownVal(cty.String), function.NewArgErrorf(1, "vars key %q is not a valid name for a template variable (letters, digits, _ and -, not starting with a digit)", name)
		}
		ctxVars[name] = v
	}
	// Every reference must be in vars: a template sees nothing else, which
	// keeps it a pure function of the call.
	for _, trav := range expr.Variables() {
		if _, ok := ctxVars[trav.RootName()]; !ok {
			rng := trav.SourceRange()
			return cty.UnknownVal(cty.String), function.NewArgErrorf(1, "template %s:%d,%d refers to %q, which vars does not define", path, rng.Start.Line, rng.Start.Column, trav.RootName())
		}
	}
	tmplFns := make(map[string]function.Function, len(fns))
	for name, fn := range fns {
		if name != "templatefile" { // no recursion through templates
			tmplFns[name] = fn
		}
	}
	v, diags := expr.Value(&hcl.EvalContext{Variables: ctxVars, Functions: tmplFns})
	if diags.HasErrors() {
		return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "template %s: %s", path, strings.TrimSuffix(diags.Error(), "."))
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil || s.IsNull() {
		return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "template %s must produce a string", path)
	}
	return s, nil
}

// checkLocal rejects paths that could leave the directory before touching
// the file system: os.Root would refuse them too, but this gives the
// message a user can act on.
func checkLocal(root *os.Root, path string) error {
	if root == nil {
		return errors.New("no configuration directory to read files from (file functions need the configuration loaded from disk)")
	}
	if path == "" {
		return errors.New("the path is empty; give a path relative to the configuration directory")
	}
	if filepath.IsAbs(path) || !filepath.IsLocal(path) {
		return fmt.Errorf("%s is outside the configuration directory: the path must stay inside the configuration directory (relative, without \"..\" leaving it)", strconv.Quote(path))
	}
	return nil
}

func readInRoot(root *os.Root, path string) ([]byte, error) {
	if err := checkLocal(root, path); err != nil {
		return nil, err
	}
	info, err := root.Stat(path)
	if err != nil {
		return nil, explainRootError(path, err)
	}
	if info.IsDir() {
		return nil, fmt.Errorf("%s is a directory, not a file", strconv.Quote(path))
	}
	if info.Size() > maxFileSize {
		return nil, fmt.Errorf("%s is %d bytes; files read by a configuration are limited to %d bytes", strconv.Quote(path), info.Size(), maxFileSize)
	}
	b, err := root.ReadFile(path)
	if err != nil {
		return nil, explainRootError(path, err)
	}
	return b, nil
}

// explainRootError turns os.Root's errors into messages that say what to
// do. os.Root reports a symbolic link that leads outside as "path escapes
// from parent"; the error is not exported, so it is recognized by text.
func explainRootError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("no file %s in the configuration directory", strconv.Quote(path))
	case strings.Contains(err.Error(), "escapes"):
		return fmt.Errorf("%s leads outside the configuration directory (through a symbolic link): the path must stay inside the configuration directory", strconv.Quote(path))
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("cannot read %s: permission denied", strconv.Quote(path))
	}
	return fmt.Errorf("cannot read %s: %v", strconv.Quote(path), err)
}
