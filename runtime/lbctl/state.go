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

// emptyState is a server state file with no servers: what HAProxy needs to
// find at `server-state-file` (a missing or empty file is a warning, which
// `haproxy -dW` turns into a failure).
const emptyState = "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n"

// EnsureStateFile creates path as an empty server state file when it does
// not exist (or is empty), so that HAProxy starts cleanly before the first
// SaveState. An existing state is left alone.
func EnsureStateFile(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		return nil
	}
	if err := os.WriteFile(path, []byte(emptyState), 0o644); err != nil {
		return fmt.Errorf("creating server state file: %w", err)
	}
	return nil
}
