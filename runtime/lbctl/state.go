package lbctl

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// SaveState writes `show servers state` (every backend) to path, atomically:
// a temporary file in the same directory, synced, then renamed over path.
// HAProxy reads it at the next start or reload when the config has
// `server-state-file PATH` and `load-server-state-from-file global`, so
// admin states, weights and addresses set at runtime survive the reload.
// Servers added at runtime are not in the config and are not recreated by
// a reload: rebuild the config from the model for that.
func (c *Client) SaveState(ctx context.Context, path string) error {
	ans, err := c.raw(ctx, "show servers state")
	if err != nil {
		return err
	}
	if _, err := parseServersState(ans); err != nil {
		return fmt.Errorf("saving server state to %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("saving server state: %w (does directory %s exist and is it writable?)", err, dir)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if _, err := f.WriteString(ans); err != nil {
		f.Close()
		return fmt.Errorf("saving server state to %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("saving server state to %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("saving server state to %s: %w", path, err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return fmt.Errorf("saving server state to %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("saving server state to %s: %w", path, err)
	}
	return nil
}
