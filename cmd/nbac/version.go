package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/nbac/nbac/schema"
)

func init() {
	register(command{name: "version", summary: "Print nbac's version", run: runVersion})
}

// version is set at link time for releases (-ldflags "-X main.version=v1.2.3");
// otherwise the module version or VCS revision from the build info is used.
var version = ""

func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", "", "Prints nbac's version, the model.json version it writes and the Go version.", stderr)
	positional, code, stop := parseFlags(fs, args)
	if stop {
		return code
	}
	if len(positional) > 0 {
		return usageError(fs, "version takes no arguments")
	}
	fmt.Fprintf(stdout, "nbac %s\nmodel.json version %s\n%s %s/%s\n", versionString(), schema.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}

func versionString() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if (v == "" || v == "(devel)") && rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		return "dev-" + rev + dirty
	}
	if v == "" {
		return "(devel)"
	}
	return v
}
