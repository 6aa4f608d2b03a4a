package importer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/nbac/nbac/emit/build"
)

// Bytes returns a file's canonical text: hclwrite's formatting, which is
// exactly what `nbac fmt` produces, so imported files are fmt-clean.
func Bytes(f *hclwrite.File) []byte {
	return hclwrite.Format(f.Bytes())
}

// Write puts r's files into dir (created if missing) and returns their
// paths. Unless force is set it first checks that none of them exists and
// writes nothing if one does. Each file is written atomically.
func Write(dir string, r *Result, force bool) ([]string, error) {
	names := r.FileNames()
	if !force {
		for _, n := range names {
			p := filepath.Join(dir, n)
			if _, err := os.Lstat(p); err == nil {
				return nil, fmt.Errorf("%s already exists (use -force to overwrite it)", p)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	written := make([]string, 0, len(names))
	for _, n := range names {
		p := filepath.Join(dir, n)
		if err := build.WriteFileAtomic(p, Bytes(r.Files[n]), 0o644); err != nil {
			return written, err
		}
		written = append(written, p)
	}
	return written, nil
}
