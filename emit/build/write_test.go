package build

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nbac/nbac/emit"
)

func arts(files ...string) []emit.Artifact {
	var out []emit.Artifact
	for i := 0; i+1 < len(files); i += 2 {
		out = append(out, emit.Artifact{Path: files[i], Data: []byte(files[i+1]), Origin: "test " + files[i]})
	}
	return out
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel != "." {
			if d.IsDir() {
				rel += "/"
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWriteFreshDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	written, deleted, err := Write(dir, arts("model.json", "{}\n", "kubernetes/api.yaml", "kind: X\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"model.json", "kubernetes/api.yaml"}; !slices.Equal(written, want) || len(deleted) != 0 {
		t.Fatalf("written %v deleted %v, want %v and none", written, deleted, want)
	}
	if got := readFile(t, filepath.Join(dir, "kubernetes", "api.yaml")); got != "kind: X\n" {
		t.Fatalf("api.yaml = %q", got)
	}
	var man Manifest
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, ManifestName))), &man); err != nil {
		t.Fatal(err)
	}
	want := []ManifestEntry{{"model.json", "test model.json"}, {"kubernetes/api.yaml", "test kubernetes/api.yaml"}}
	if !slices.Equal(man.Files, want) {
		t.Fatalf("manifest files %v, want %v", man.Files, want)
	}
	// No temporary file survives a successful write.
	if got, want := listDir(t, dir), []string{".nbac-manifest.json", "kubernetes/", "kubernetes/api.yaml", "model.json"}; !slices.Equal(got, want) {
		t.Fatalf("dir holds %v, want %v", got, want)
	}
}

func TestWriteSkipsUnchangedFiles(t *testing.T) {
	dir := t.TempDir()
	a := arts("model.json", "{}\n", "haproxy/edge.cfg", "global\n")
	if _, _, err := Write(dir, a); err != nil {
		t.Fatal(err)
	}
	// Mark the files so a rewrite would be visible without reading clocks:
	// a rewrite replaces the inode, and with it this mode.
	for _, p := range []string{"model.json", "haproxy/edge.cfg", ManifestName} {
		if err := os.Chmod(filepath.Join(dir, p), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	a[1].Data = []byte("global\n  maxconn 10\n")
	written, deleted, err := Write(dir, a)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(written, []string{"haproxy/edge.cfg"}) || len(deleted) != 0 {
		t.Fatalf("written %v deleted %v, want only haproxy/edge.cfg", written, deleted)
	}
	for p, mode := range map[string]os.FileMode{"model.json": 0o600, ManifestName: 0o600, "haproxy/edge.cfg": 0o644} {
		info, err := os.Stat(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != mode {
			t.Errorf("%s mode %v, want %v (rewritten when it should not be, or the reverse)", p, info.Mode().Perm(), mode)
		}
	}
}

func TestWriteDeletesOnlyItsOwnStaleFiles(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := Write(dir, arts("model.json", "1", "kubernetes/api.yaml", "a", "kubernetes/web.yaml", "w", "nginx/edge.conf", "n")); err != nil {
		t.Fatal(err)
	}
	// Files nbac did not write, one of them beside a stale file.
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("mine"), 0o644)
	os.WriteFile(filepath.Join(dir, "kubernetes", "extra.yaml"), []byte("mine"), 0o644)

	written, deleted, err := Write(dir, arts("model.json", "2", "kubernetes/api.yaml", "a"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(written, []string{"model.json"}) {
		t.Errorf("written %v, want [model.json]", written)
	}
	if want := []string{"kubernetes/web.yaml", "nginx/edge.conf"}; !slices.Equal(deleted, want) {
		t.Errorf("deleted %v, want %v", deleted, want)
	}
	// nginx/ held only nbac's file and goes; kubernetes/ keeps the foreign file.
	want := []string{".nbac-manifest.json", "README.md", "kubernetes/", "kubernetes/api.yaml", "kubernetes/extra.yaml", "model.json"}
	if got := listDir(t, dir); !slices.Equal(got, want) {
		t.Fatalf("dir holds %v, want %v", got, want)
	}
}

func TestWriteOverwritesButNeverDeletesUnlistedFile(t *testing.T) {
	dir := t.TempDir()
	// A file at an artifact's path that nbac did not write is replaced
	// (the path is nbac's output), but once nbac stops producing it, it is
	// nbac's file and may go.
	os.WriteFile(filepath.Join(dir, "model.json"), []byte("hand-made"), 0o644)
	if _, _, err := Write(dir, arts("model.json", "{}")); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir, "model.json")); got != "{}" {
		t.Fatalf("model.json = %q", got)
	}
}

func TestWriteRefusesBadManifest(t *testing.T) {
	for name, content := range map[string]string{
		"escape":   `{"version":1,"generator":"nbac","files":[{"path":"../victim"}]}`,
		"absolute": `{"version":1,"generator":"nbac","files":[{"path":"/etc/passwd"}]}`,
		"garbage":  `{"version":`,
		"version":  `{"version":99,"files":[]}`,
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "out")
			os.Mkdir(dir, 0o755)
			os.WriteFile(filepath.Join(root, "victim"), []byte("keep"), 0o644)
			os.WriteFile(filepath.Join(dir, ManifestName), []byte(content), 0o644)
			_, _, err := Write(dir, arts("model.json", "{}"))
			if err == nil || !strings.Contains(err.Error(), ManifestName) {
				t.Fatalf("err = %v, want an error naming the manifest", err)
			}
			if got := listDir(t, dir); !slices.Equal(got, []string{ManifestName}) {
				t.Fatalf("a refused write touched the directory: %v", got)
			}
			if readFile(t, filepath.Join(root, "victim")) != "keep" {
				t.Fatal("victim changed")
			}
		})
	}
}

func TestWriteRefusesBadArtifactPaths(t *testing.T) {
	for _, p := range []string{"../x", "/abs", "a/../b", "", ManifestName, `a\b`} {
		dir := t.TempDir()
		if _, _, err := Write(dir, arts(p, "x")); err == nil {
			t.Errorf("Write(%q) succeeded", p)
		}
		if got := listDir(t, dir); len(got) != 0 {
			t.Errorf("Write(%q) touched the directory: %v", p, got)
		}
	}
	if _, _, err := Write(t.TempDir(), arts("a", "1", "a", "2")); err == nil {
		t.Error("duplicate paths accepted")
	}
}

func TestWriteKeepsDirectoryAtStalePath(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := Write(dir, arts("model.json", "1", "kubernetes/x.yaml", "x")); err != nil {
		t.Fatal(err)
	}
	// Someone replaced nbac's file with a directory of their own.
	os.Remove(filepath.Join(dir, "kubernetes", "x.yaml"))
	os.MkdirAll(filepath.Join(dir, "kubernetes", "x.yaml", "inner"), 0o755)
	_, deleted, err := Write(dir, arts("model.json", "1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(deleted) != 0 {
		t.Fatalf("deleted %v", deleted)
	}
	if _, err := os.Stat(filepath.Join(dir, "kubernetes", "x.yaml", "inner")); err != nil {
		t.Fatal(err)
	}
}

// TestWriteNewAtomicFailureLeavesNothing makes the final rename fail (a
// non-empty directory stands at the file's name): the error names the
// file, the directory is untouched and no temporary file is left behind.
func TestWriteNewAtomicFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "api.yaml")
	if err := os.MkdirAll(filepath.Join(target, "keep"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := writeNewAtomic(target, []byte("kind: Service\n"))
	if err == nil || !strings.Contains(err.Error(), target) {
		t.Fatalf("writeNewAtomic over a directory: err = %v, want an error naming %s", err, target)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "api.yaml" || !entries[0].IsDir() {
		t.Fatalf("directory now holds %v, want only the untouched api.yaml/", entries)
	}
	if _, err := os.Stat(filepath.Join(target, "keep")); err != nil {
		t.Fatalf("the directory's content is gone: %v", err)
	}
}
