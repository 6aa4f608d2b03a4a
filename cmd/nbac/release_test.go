package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestReleaseReproducible runs .ci/release.sh -check for the host's
// platform: two builds of the commit at HEAD, each from its own `git
// archive` copy, must give identical SHA256SUMS (the full six-platform
// matrix with an empty build cache is `.ci/release.sh -check`, see
// docs/releasing.md). It also checks that the binary reports the version,
// commit and commit date it was built from.
func TestReleaseReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("builds nbac twice")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	if err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Run(); err != nil {
		t.Skip("not a git checkout")
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	platform := runtime.GOOS + "/" + runtime.GOARCH
	cmd := exec.Command(filepath.Join(root, ".ci", "release.sh"), "-check")
	cmd.Env = append(os.Environ(), "GO="+goBin, "PLATFORMS="+platform, "NBAC_RELEASE_SHARED_CACHE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("release.sh -check: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "release: reproducible") {
		t.Fatalf("release.sh -check did not report reproducible builds:\n%s", out)
	}

	// One more build into a directory of our own, to run it.
	dist := t.TempDir()
	cmd = exec.Command(filepath.Join(root, ".ci", "release.sh"))
	cmd.Env = append(os.Environ(), "GO="+goBin, "PLATFORMS="+platform, "DIST="+dist)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("release.sh: %v\n%s", err, out)
	}
	bins, _ := filepath.Glob(filepath.Join(dist, "nbac_"+releaseVersion+"_*"))
	if len(bins) != 1 {
		t.Fatalf("dist holds %v, want one nbac_%s_* binary", bins, releaseVersion)
	}
	got, err := exec.Command(bins[0], "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	head, _ := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	logCmd := exec.Command("git", "-C", root, "log", "-1", "--date=format-local:%Y-%m-%dT%H:%M:%SZ", "--format=%cd", "HEAD")
	logCmd.Env = append(os.Environ(), "TZ=UTC")
	when, _ := logCmd.Output()
	for _, want := range []string{
		"nbac " + releaseVersion + "\n",
		"commit " + strings.TrimSpace(string(head)) + "\n",
		"built " + strings.TrimSpace(string(when)) + "\n",
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("nbac version printed\n%s\nwant a line %q", got, want)
		}
	}
}
