package stdlib

import (
	"slices"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// envFunc reads an environment variable, but only one the configuration
// was allowed to read (project { allow_env = [...] } or -allow-env), so a
// build cannot silently depend on the machine it runs on. An unset
// variable is an error unless a default is given: env("REGION", "eu-west-1").
// Every allowed read, set or not, is reported through OnEnvRead so the
// compiler can record which variables the output depends on; the hook may
// be called more than once for one name.
func envFunc(opts Options) function.Function {
	allowed := slices.Clone(opts.AllowEnv)
	slices.Sort(allowed)
	allowed = slices.Compact(allowed)
	return function.New(&function.Spec{
		Description: `Returns the value of an allowed environment variable, or default when it is unset.`,
		Params:      []function.Parameter{{Name: "name", Type: cty.String}},
		VarParam:    &function.Parameter{Name: "default", Type: cty.String},
		Type: func(args []cty.Value) (cty.Type, error) {
			if len(args) > 2 {
				return cty.NilType, function.NewArgErrorf(2, "env takes a name and at most one default, as in env(\"REGION\", \"eu-west-1\")")
			}
			return cty.String, nil
		},
		RefineResult: refineNotNull,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			name := args[0].AsString()
			if _, ok := slices.BinarySearch(allowed, name); !ok {
				return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "%s", notAllowedMessage(name, allowed))
			}
			if opts.OnEnvRead != nil {
				opts.OnEnvRead(name)
			}
			if opts.Getenv != nil {
				if v, ok := opts.Getenv(name); ok {
					return cty.StringVal(v), nil
				}
			}
			if len(args) == 2 {
				return args[1], nil
			}
			return cty.UnknownVal(cty.String), function.NewArgErrorf(0,
				"environment variable %s is not set; set it, or give a default as the second argument: env(%s, \"...\")",
				name, strconv.Quote(name))
		},
	})
}

func notAllowedMessage(name string, allowed []string) string {
	var b strings.Builder
	b.WriteString("env(" + strconv.Quote(name) + ") is not allowed: ")
	if len(allowed) == 0 {
		b.WriteString("this configuration allows no environment variables.")
	} else {
		quoted := make([]string, len(allowed))
		for i, a := range allowed {
			quoted[i] = strconv.Quote(a)
		}
		b.WriteString("this configuration may read only " + strings.Join(quoted, ", ") + ".")
	}
	// No final full stop: hcl appends one to an argument error's message.
	b.WriteString(" To allow it, add it to the project block, project { allow_env = [" + strconv.Quote(name) +
		"] }, or pass -allow-env " + name + " on the command line")
	return b.String()
}
