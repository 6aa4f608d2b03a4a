package build

import (
	"os"

	"golang.org/x/sys/unix"
)

// flushWritten makes the files Write just renamed into dir durable. On
// Linux one syncfs(2) flushes them all, and their directory entries, in a
// single pass over the file system, instead of a journal commit per file.
// It is best effort, like syncDir: the files are complete either way, and a
// file system that cannot flush still holds them for readers.
func flushWritten(dir string, paths []string) {
	if len(paths) == 0 {
		return
	}
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	defer d.Close()
	if unix.Syncfs(int(d.Fd())) != nil {
		flushEach(paths)
	}
}
