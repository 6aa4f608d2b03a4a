package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/nbac/nbac/lang"
)

// Section names with a meaning of their own; every other section is an
// input file of the configuration.
const (
	argsSection  = "args"
	diagsSection = "diagnostics"
	outPrefix    = "out/"
)

// Case is one parsed golden file. Other packages' tests read the golden
// cases through it too (the diagnostics renderer and the Kubernetes
// emitter compare themselves with their references on every case).
type Case struct {
	Archive *txtar.Archive
	Inputs  []txtar.File      // in file order
	Args    []string          // lines of the args section, comments dropped
	Want    map[string][]byte // the diagnostics and out/ sections
}

// ReadCase parses the golden file name.
func ReadCase(name string) (Case, error) {
	a, err := txtar.ParseFile(name)
	if err != nil {
		return Case{}, err
	}
	c := Case{Archive: a, Want: map[string][]byte{}}
	for _, f := range a.Files {
		switch {
		case f.Name == argsSection:
			for _, l := range strings.Split(string(f.Data), "\n") {
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
					c.Args = append(c.Args, l)
				}
			}
		case f.Name == diagsSection || strings.HasPrefix(f.Name, outPrefix):
			c.Want[f.Name] = f.Data
		default:
			c.Inputs = append(c.Inputs, f)
		}
	}
	if len(c.Inputs) == 0 {
		return Case{}, fmt.Errorf("%s has no input files", name)
	}
	return c, nil
}

// Options turns the args section into lang.Options. Each line is one
// option: `-var name=value`, `-var-file file.nbvars`, `-allow-env NAME`,
// or `-env NAME=value` (an entry of the environment the case runs with;
// nothing else of the real environment is visible).
func (c Case) Options() (lang.Options, error) {
	var o lang.Options
	for _, l := range c.Args {
		opt, val, _ := strings.Cut(l, " ")
		val = strings.TrimSpace(val)
		switch opt {
		case "-var":
			o.Vars = append(o.Vars, val)
		case "-var-file":
			o.VarFiles = append(o.VarFiles, val)
		case "-allow-env":
			o.AllowEnv = append(o.AllowEnv, val)
		case "-env":
			o.Environ = append(o.Environ, val)
		default:
			return o, fmt.Errorf("args: unknown option %q (want -var, -var-file, -allow-env or -env)", opt)
		}
	}
	return o, nil
}

// Prepare reads the golden file name, lays its inputs out in dir and
// returns the case with its args as lang.Options: the set-up of every test
// that compiles the golden cases in a directory of their own.
func Prepare(name, dir string) (Case, lang.Options, error) {
	c, err := ReadCase(name)
	if err != nil {
		return Case{}, lang.Options{}, err
	}
	opts, err := c.Options()
	if err != nil {
		return Case{}, lang.Options{}, err
	}
	return c, opts, WriteInputs(dir, c.Inputs, nil)
}

// WriteInputs lays files (a case's Inputs, or a reordering of them) out in
// dir. rename, when not nil, maps a configuration file's name to the one it
// gets there; files are created in order.
func WriteInputs(dir string, files []txtar.File, rename func(string) string) error {
	for _, f := range files {
		name := f.Name
		if rename != nil && isConfigFile(name) {
			name = rename(name)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func isConfigFile(name string) bool {
	return !strings.Contains(name, "/") && (strings.HasSuffix(name, ".hcl") || strings.HasSuffix(name, ".hcl.json"))
}
