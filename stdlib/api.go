package stdlib

import (
	"os"

	"github.com/zclconf/go-cty/cty/function"
)

// Options configure the functions that touch the outside world.
type Options struct {
	// Root is the configuration directory; file() reads only inside it.
	// Nil makes file() an error ("no configuration directory").
	Root *os.Root
	// AllowEnv are the environment variable names env() may read.
	AllowEnv []string
	// Getenv looks a variable up (os.LookupEnv in the CLI, a map in tests).
	Getenv func(name string) (string, bool)
	// OnEnvRead is called with each name env() reads, so the compiler can
	// record provenance in the model.
	OnEnvRead func(name string)
}

// Functions returns every function a configuration may call, by name.
func Functions(opts Options) map[string]function.Function {
	return functions(opts)
}
