package build

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"golang.org/x/sync/errgroup"

	"github.com/nbac/nbac/emit"
)

// Write puts arts into dir and returns, as artifact paths, the files it
// wrote (new or changed) and the stale files it deleted. Files whose bytes
// are already right are not rewritten. Files listed in the previous
// manifest that arts no longer holds are deleted; nothing else in dir is.
// The manifest is written last, so an interrupted Write leaves a manifest
// that still lists every file an earlier build wrote.
//
// Callers only call Write for a build without errors: a failed build must
// leave dir as it was.
func Write(dir string, arts []emit.Artifact) (written, deleted []string, err error) {
	old, err := ReadManifest(dir)
	if err != nil {
		return nil, nil, err
	}
	seen := make(map[string]bool, len(arts))
	for _, a := range arts {
		if err := CheckPath(a.Path); err != nil {
			return nil, nil, err
		}
		if seen[a.Path] {
			return nil, nil, fmt.Errorf("two artifacts have the path %s", a.Path)
		}
		seen[a.Path] = true
	}
	// Each directory is made once, up front; a file in a directory that
	// did not exist before cannot hold its bytes already, so it is not read.
	fresh := map[string]bool{}
	for _, a := range arts {
		d := filepath.Dir(filepath.Join(dir, filepath.FromSlash(a.Path)))
		if _, done := fresh[d]; done {
			continue
		}
		_, statErr := os.Stat(d)
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, nil, err
		}
		fresh[d] = errors.Is(statErr, fs.ErrNotExist)
	}

	// Files are written concurrently, each to a temporary file renamed
	// over its name, so a reader never sees a part of one. They are not
	// flushed one by one: an fsync per file cost 300-400 ms for the 1,400
	// files of a 1,000-service estate on our CI disk, one flush of the
	// whole file system afterwards 50 ms (docs/performance.md, ## Compile).
	changed := make([]bool, len(arts))
	var g errgroup.Group
	g.SetLimit(writeParallelism)
	for i, a := range arts {
		g.Go(func() error {
			var err error
			name := filepath.Join(dir, filepath.FromSlash(a.Path))
			changed[i], err = writeIfChanged(name, a.Data, fresh[filepath.Dir(name)])
			return err
		})
	}
	werr := g.Wait()
	var paths []string
	for i, a := range arts {
		if changed[i] {
			written = append(written, a.Path)
			paths = append(paths, filepath.Join(dir, filepath.FromSlash(a.Path)))
		}
	}
	// Durable before the manifest names them, and before nbac says so.
	flushWritten(dir, paths)
	if werr != nil {
		return written, deleted, werr
	}

	for _, f := range old.Files {
		if seen[f.Path] {
			continue
		}
		full := filepath.Join(dir, filepath.FromSlash(f.Path))
		info, err := os.Lstat(full)
		if errors.Is(err, fs.ErrNotExist) {
			continue // already gone: someone removed it by hand
		}
		if err != nil {
			return written, deleted, err
		}
		if !info.Mode().IsRegular() {
			// nbac only writes regular files; whatever is there now is
			// someone else's.
			continue
		}
		if err := os.Remove(full); err != nil {
			return written, deleted, err
		}
		deleted = append(deleted, f.Path)
		removeEmptyParents(dir, f.Path)
	}

	man := Manifest{Version: manifestVersion, Generator: "nbac", Files: make([]ManifestEntry, 0, len(arts))}
	for _, a := range arts {
		man.Files = append(man.Files, ManifestEntry{Path: a.Path, Origin: a.Origin})
	}
	data, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return written, deleted, err
	}
	data = append(data, '\n')
	mf := filepath.Join(dir, ManifestName)
	if same, err := holds(mf, data); same || err != nil {
		return written, deleted, err
	}
	if err := WriteFileAtomic(mf, data, 0o644); err != nil {
		return written, deleted, err
	}
	return written, deleted, nil
}

// holds reports whether name exists and holds exactly data; a missing file
// is not an error.
func holds(name string, data []byte) (bool, error) {
	cur, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil && bytes.Equal(cur, data), err
}

// writeIfChanged replaces name, in an existing directory, with data unless
// it already holds exactly data; a file in a directory made just now
// (fresh) is written without looking. It reports whether it wrote.
func writeIfChanged(name string, data []byte, fresh bool) (bool, error) {
	if !fresh {
		if same, err := holds(name, data); same || err != nil {
			return false, err
		}
	}
	return true, writeNewAtomic(name, data)
}

// writeParallelism bounds concurrent file writes in Write. Files of one
// directory contend for its lock when created and renamed: past 2 to 4
// writers, more only spin (measured on ext4 with 1,400 files).
const writeParallelism = 4

// WriteFileAtomic replaces name with data so that a reader (or a crash)
// sees either the old file or the new one, never a part: it writes a
// temporary file in the same directory (rename is only atomic within one
// file system), flushes it to disk, renames it over name, and flushes the
// directory so the rename itself survives a crash.
func WriteFileAtomic(name string, data []byte, perm fs.FileMode) error {
	if err := writeFileAtomic(name, data, perm, true); err != nil {
		return err
	}
	syncDir(filepath.Dir(name))
	return nil
}

// writeFileAtomic is WriteFileAtomic without the directory flush, and
// without any flush when sync is false (Write flushes many files at once).
func writeFileAtomic(name string, data []byte, perm fs.FileMode, sync bool) (err error) {
	dir := filepath.Dir(name)
	tmp, err := os.CreateTemp(dir, ".nbac-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if sync {
		if err = tmp.Sync(); err != nil {
			return err
		}
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// syncDir flushes a directory's entries. It is best effort: some file
// systems refuse to fsync a directory, and the data itself is already safe.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// removeEmptyParents removes the directories between a deleted file and
// dir that are now empty (kubernetes/ after its last service went), and
// stops at the first that is not: os.Remove refuses a non-empty directory,
// so nothing anyone else put there is lost.
func removeEmptyParents(dir, p string) {
	for d := path.Dir(p); d != "."; d = path.Dir(d) {
		if os.Remove(filepath.Join(dir, filepath.FromSlash(d))) != nil {
			return
		}
	}
}

// flushEach flushes each file and, once each, the directories holding
// them: the portable way to make many renamed files durable.
func flushEach(paths []string) {
	dirs := map[string]bool{}
	for _, p := range paths {
		if f, err := os.Open(p); err == nil {
			f.Sync()
			f.Close()
		}
		dirs[filepath.Dir(p)] = true
	}
	for d := range dirs {
		syncDir(d)
	}
}
