//go:build !linux

package build

// flushWritten makes the files Write just renamed into dir durable, one
// file and one directory at a time where the system has no syncfs(2).
func flushWritten(dir string, paths []string) {
	flushEach(paths)
}
