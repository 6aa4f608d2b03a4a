//go:build !unix

package build

// writeNewAtomic is Write's per-file step: a temporary file beside name,
// renamed over it, not flushed (Write flushes all files at once).
func writeNewAtomic(name string, data []byte) error {
	return writeFileAtomic(name, data, 0o644, false)
}
