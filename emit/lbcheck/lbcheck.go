package lbcheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Binaries the validators need. Var so a test can point at another build.
var (
	HAProxyBin = "haproxy"
	NginxBin   = "nginx"
)

// timeout bounds one validator run; a validator never needs long, and a hung
// one must not hang the test binary.
const timeout = 30 * time.Second

// ErrMissing is returned (wrapped) when a validator binary is not installed.
var ErrMissing = errors.New("validator not installed")

// HAProxy validates cfg with `haproxy -dW -c -f`, in a fresh temp dir.
//
// Two files may legitimately be missing on a build machine: the TLS
// certificate (deployed separately) and the server-state-file (HAProxy warns
// at its first start until `nbac lb` saves state, and -dW makes that fatal).
// When they are missing, the copy that is checked names a throw-away
// certificate and an empty version-1 state file instead, and server host
// names (which resolve only where the file is deployed) become 127.0.0.1
// (see stand_in.go).
func HAProxy(cfg []byte) error {
	bin, err := exec.LookPath(HAProxyBin)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrMissing, HAProxyBin, err)
	}
	dir, err := os.MkdirTemp("", "lbcheck-haproxy-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if cfg, err = standIn(cfg, haproxyCrtRe, func() (string, error) { return selfSigned(dir) }); err != nil {
		return err
	}
	if cfg, err = standIn(cfg, haproxyStateRe, func() (string, error) { return emptyState(dir) }); err != nil {
		return err
	}
	cfg = loopbackNames(cfg, haproxyServerRe)
	file := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(file, cfg, 0o600); err != nil {
		return err
	}
	out, err := run(dir, bin, "-dW", "-c", "-f", file)
	if err != nil {
		return fmt.Errorf("haproxy -dW -c rejected the configuration: %v\n%s\n--- configuration ---\n%s", err, out, numbered(cfg))
	}
	return nil
}

// Nginx validates conf with `nginx -t -q -c ABS_FILE -p TMPDIR/`; a [warn]
// (or worse) line on stderr is a failure even when nginx exits 0. A missing
// certificate or key file is replaced by a throw-away one, and server host
// names by 127.0.0.1, as for HAProxy.
func Nginx(conf []byte) error {
	bin, err := exec.LookPath(NginxBin)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrMissing, NginxBin, err)
	}
	dir, err := os.MkdirTemp("", "lbcheck-nginx-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if conf, err = standIn(conf, nginxCertRe, func() (string, error) { return selfSigned(dir) }); err != nil {
		return err
	}
	conf = loopbackNames(conf, nginxServerRe)
	file := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(file, conf, 0o600); err != nil {
		return err
	}
	out, err := run(dir, bin, "-t", "-q", "-c", file, "-p", dir+"/")
	if err != nil {
		return fmt.Errorf("nginx -t rejected the configuration: %v\n%s\n--- configuration ---\n%s", err, out, numbered(conf))
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "[warn]") || strings.Contains(l, "[emerg]") || strings.Contains(l, "[alert]") || strings.Contains(l, "[crit]") || strings.Contains(l, "[error]") {
			return fmt.Errorf("nginx -t accepted the configuration with a warning: %s\n--- configuration ---\n%s", l, numbered(conf))
		}
	}
	return nil
}

func run(dir, bin string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.Bytes(), err
}

// numbered prefixes each line with its number, so a validator's
// "[file:12]" points somewhere readable in a test failure.
func numbered(b []byte) string {
	var sb strings.Builder
	for i, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		fmt.Fprintf(&sb, "%4d  %s\n", i+1, l)
	}
	return sb.String()
}

// TB is the part of testing.TB that Require uses.
type TB interface {
	Helper()
	Skipf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Require skips the test when haproxy or nginx (with the stream module) is
// missing, saying how to install them, or fails it when
// NBAC_REQUIRE_SERVICES=1.
func Require(t TB) {
	t.Helper()
	var missing []string
	for _, b := range []string{HAProxyBin, NginxBin} {
		if _, err := exec.LookPath(b); err != nil {
			missing = append(missing, b)
		}
	}
	if _, err := os.Stat(StreamModule); err != nil {
		missing = append(missing, "libnginx-mod-stream ("+StreamModule+")")
	}
	if len(missing) == 0 {
		return
	}
	msg := "SKIPPING: load-balancer validators missing: " + strings.Join(missing, ", ") +
		"; install with `apt-get install -y haproxy nginx libnginx-mod-stream`"
	if os.Getenv("NBAC_REQUIRE_SERVICES") == "1" {
		t.Fatalf("%s (NBAC_REQUIRE_SERVICES=1)", msg)
	}
	t.Skipf("%s", msg)
}

// StreamModule is where Debian's libnginx-mod-stream installs the module the
// Nginx emitter loads for mode = "tcp".
const StreamModule = "/usr/lib/nginx/modules/ngx_stream_module.so"
