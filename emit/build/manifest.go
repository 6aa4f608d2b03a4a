package build

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ManifestName is the file, inside the output directory, that lists what
// nbac wrote there. It starts with a dot so globs like out/* skip it.
const ManifestName = ".nbac-manifest.json"

// manifestVersion is bumped if the manifest's meaning changes.
const manifestVersion = 1

// Manifest is the content of ManifestName. It holds no timestamps, so an
// unchanged build leaves it byte-identical.
type Manifest struct {
	Version   int             `json:"version"`
	Generator string          `json:"generator"`
	Files     []ManifestEntry `json:"files"`
}

// ManifestEntry is one file nbac wrote, with the block it came from so that
// `nbac plan` can say where a removed file used to come from.
type ManifestEntry struct {
	Path string `json:"path"`
	// Origin has no file position: positions depend on the directory nbac
	// runs from, and the manifest must not change when only that does.
	Origin string `json:"origin,omitempty"`
}

// ReadManifest reads DIR's manifest. A directory without one (never built,
// or built by hand) gives an empty manifest and no error: nbac then owns
// nothing there yet. A manifest that does not parse is an error, because
// guessing would risk deleting files nbac did not write.
func ReadManifest(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return &Manifest{Version: manifestVersion, Generator: "nbac"}, nil
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %v; delete the file to let nbac start over (it will then not remove stale files it wrote before)", filepath.Join(dir, ManifestName), err)
	}
	if m.Version != manifestVersion {
		return nil, fmt.Errorf("%s: version %d is not understood by this nbac (it writes version %d)", filepath.Join(dir, ManifestName), m.Version, manifestVersion)
	}
	for _, f := range m.Files {
		// A listed path is only ever deleted inside DIR, so refuse any
		// path that could point elsewhere (a hand-edited manifest).
		if err := CheckPath(f.Path); err != nil {
			return nil, fmt.Errorf("%s: %v", filepath.Join(dir, ManifestName), err)
		}
	}
	return &m, nil
}

// Has reports whether the manifest lists p.
func (m *Manifest) Has(p string) bool {
	for _, f := range m.Files {
		if f.Path == p {
			return true
		}
	}
	return false
}

// CheckPath accepts a clean, relative, slash-separated path that stays
// inside the output directory and is not the manifest itself.
func CheckPath(p string) error {
	switch {
	case p == "" || path.IsAbs(p) || strings.Contains(p, `\`):
		return fmt.Errorf("path %q is not a relative slash-separated path", p)
	case path.Clean(p) != p || p == "." || p == ".." || strings.HasPrefix(p, "../"):
		return fmt.Errorf("path %q is not clean or leaves the output directory", p)
	case p == ManifestName:
		return fmt.Errorf("path %q is reserved for nbac's manifest", p)
	}
	return nil
}
