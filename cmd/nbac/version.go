package main

import (
	"fmt"
	"io"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/nbac/nbac/schema"
)

func init() {
	register(command{name: "version", summary: "Print nbac's version, commit, build date and Go version", run: runVersion})
}

// releaseVersion is the semantic version of this source tree. The release
// process (docs/releasing.md) bumps it in the commit that gets the tag, so a
// build from a plain checkout knows its version without tags or ldflags.
const releaseVersion = "0.1.0"

// Link-time overrides (make build, make release):
//
//	-X main.version=v1.2.3 -X main.commit=<sha> -X main.date=<RFC 3339>
//
// version only counts when it is a semantic version (make build passes `git
// describe`, a bare hash when there is no tag); commit and date fill in what
// the build info lacks (release builds use -buildvcs=false so that a tree's
// .git state cannot change the bytes).
var (
	version = ""
	commit  = ""
	date    = ""
)

// versionInfo is `nbac version -json`'s document (docs/cli.md).
type versionInfo struct {
	Version      string `json:"version"`
	Commit       string `json:"commit"`
	Modified     bool   `json:"modified"`
	Date         string `json:"date"`
	GoVersion    string `json:"go_version"`
	Platform     string `json:"platform"`
	ModelVersion string `json:"model_version"`
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", "[-json]", "Prints nbac's semantic version, the commit and date it was built from, the\nmodel.json format version it writes and the Go version and platform.",
		"nbac version -json", stderr)
	var asJSON bool
	fs.BoolVar(&asJSON, "json", false, "print a JSON object instead of text")
	positional, code, stop := parseFlags(fs, args)
	if stop {
		return code
	}
	if len(positional) > 0 {
		return usageError(fs, "version takes no arguments")
	}
	v := currentVersion()
	if asJSON {
		writeJSON(stdout, v)
		return exitOK
	}
	c := v.Commit
	if c == "" {
		c = "unknown"
	}
	if v.Modified {
		c += " (modified)"
	}
	d := v.Date
	if d == "" {
		d = "unknown"
	}
	fmt.Fprintf(stdout, "nbac %s\ncommit %s\nbuilt %s\nmodel.json version %s\n%s %s\n", v.Version, c, d, v.ModelVersion, v.GoVersion, v.Platform)
	return exitOK
}

var semverRE = regexp.MustCompile(`^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]*)?$`)

// currentVersion gathers the version from, in order of trust: the link-time
// values, the module version `go install ...@v0.1.0` records, the VCS stamp
// of a build in a checkout, and releaseVersion.
func currentVersion() versionInfo {
	v := versionInfo{
		Version: releaseVersion, Commit: commit, Date: date,
		GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH,
		ModelVersion: schema.Version,
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if mv := bi.Main.Version; semverRE.MatchString(mv) && !strings.Contains(mv, "0.0.0-") {
			v.Version = strings.TrimPrefix(mv, "v")
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if v.Commit == "" {
					v.Commit = s.Value
				}
			case "vcs.time":
				if v.Date == "" {
					v.Date = s.Value
				}
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	if semverRE.MatchString(version) {
		v.Version = strings.TrimPrefix(version, "v")
	}
	return v
}
