package lbctl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"
)

// Sentinel errors, wrapped by the precise errors this package returns so
// callers can branch with errors.Is.
var (
	ErrNoSocket        = errors.New("no HAProxy stats socket")
	ErrPermission      = errors.New("permission denied")
	ErrUnknownBackend  = errors.New("unknown backend")
	ErrUnknownServer   = errors.New("unknown server")
	ErrStaticAlgorithm = errors.New("backend uses a static load-balancing algorithm")
	ErrInvalidArgument = errors.New("invalid argument")
	ErrHAProxy         = errors.New("HAProxy refused the command")
)

// Client talks to one HAProxy runtime API socket. Each command uses its own
// short connection (HAProxy's non-interactive mode: one line in, the answer,
// then EOF), so a Client is safe for concurrent use and holds nothing open.
type Client struct {
	network string // "unix" or "tcp"
	address string
	socket  string // as given, for messages

	// Timeout bounds one command's round trip when the context has no
	// earlier deadline.
	Timeout time.Duration
	// PollInterval is how often DelServer re-reads a draining server's
	// session count.
	PollInterval time.Duration
}

// ParseSocket splits a socket spec into network and address. Accepted:
// "tcp:HOST:PORT", "ipv4@HOST:PORT", "ipv6@[HOST]:PORT", "unix@PATH",
// "unix:PATH" and a plain file path. HOST:PORT without a prefix is taken as
// TCP only when PORT is numeric and the text has no '/'.
func ParseSocket(socket string) (network, address string, err error) {
	s := strings.TrimSpace(socket)
	switch {
	case s == "":
		return "", "", fmt.Errorf("%w: empty socket: pass -socket PATH or set stats { socket = ... } in the load balancer", ErrInvalidArgument)
	case strings.HasPrefix(s, "tcp:"):
		return checkTCP(socket, strings.TrimPrefix(s, "tcp:"))
	case strings.HasPrefix(s, "ipv4@"), strings.HasPrefix(s, "ipv6@"):
		return checkTCP(socket, s[len("ipv4@"):])
	case strings.HasPrefix(s, "unix@"):
		return "unix", strings.TrimPrefix(s, "unix@"), nil
	case strings.HasPrefix(s, "unix:"):
		return "unix", strings.TrimPrefix(s, "unix:"), nil
	case !strings.Contains(s, "/"):
		if _, port, err := net.SplitHostPort(s); err == nil && port != "" && isDigits(port) {
			return checkTCP(socket, s)
		}
	}
	return "unix", s, nil
}

func checkTCP(orig, hostport string) (string, string, error) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil || host == "" || !isDigits(port) {
		return "", "", fmt.Errorf("%w: socket %q: want tcp:HOST:PORT", ErrInvalidArgument, orig)
	}
	return "tcp", hostport, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Dial checks that an HAProxy answers on socket and returns a Client for it.
// A missing socket file, a refused connection and a permission problem each
// get an error that says what to check.
func Dial(ctx context.Context, socket string) (*Client, error) {
	network, address, err := ParseSocket(socket)
	if err != nil {
		return nil, err
	}
	c := &Client{network: network, address: address, socket: socket, Timeout: 10 * time.Second, PollInterval: 100 * time.Millisecond}
	if network == "unix" {
		if _, err := os.Stat(address); err != nil {
			return nil, c.dialError(err)
		}
	}
	// "show info" is allowed at every socket level: it proves HAProxy is
	// there without changing anything.
	if _, err := c.raw(ctx, "show info"); err != nil {
		return nil, err
	}
	return c, nil
}

// Socket returns the socket spec the client was dialled with.
func (c *Client) Socket() string { return c.socket }

func (c *Client) dialError(err error) error {
	hint := "is `stats socket` configured (stats { socket = ... }) and HAProxy running?"
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%w at %s: %s", ErrNoSocket, c.socket, hint)
	case errors.Is(err, os.ErrPermission), errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return fmt.Errorf("%w on HAProxy stats socket %s: run as the socket's owner or widen its `mode`/`user`/`group` on the `stats socket` line", ErrPermission, c.socket)
	case errors.Is(err, syscall.ECONNREFUSED):
		if c.network == "unix" {
			return fmt.Errorf("%w at %s: the file exists but nothing listens on it (a stale socket?): %s", ErrNoSocket, c.socket, hint)
		}
		return fmt.Errorf("%w at %s: connection refused: %s", ErrNoSocket, c.socket, hint)
	}
	return fmt.Errorf("HAProxy stats socket %s: %w", c.socket, err)
}

// raw sends one already-validated command line and returns HAProxy's answer.
func (c *Client) raw(ctx context.Context, line string) (string, error) {
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, c.network, c.address)
	if err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("HAProxy stats socket %s: %w", c.socket, ctx.Err())
		}
		return "", c.dialError(err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	// Close the connection when ctx ends so a blocked read returns.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := io.WriteString(conn, line+"\n"); err != nil {
		return "", fmt.Errorf("HAProxy stats socket %s: writing %q: %w", c.socket, firstWords(line), err)
	}
	out, err := io.ReadAll(io.LimitReader(conn, 64<<20))
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return "", fmt.Errorf("HAProxy stats socket %s: reading the answer to %q: %w", c.socket, firstWords(line), err)
	}
	ans := string(out)
	if strings.TrimSpace(ans) == "Permission denied" {
		return "", fmt.Errorf("%w: HAProxy refused %q on %s: the socket is not at `level admin` (stats socket ... level admin)", ErrPermission, firstWords(line), c.socket)
	}
	return ans, nil
}

// firstWords names a command in messages without echoing its arguments.
func firstWords(line string) string {
	f := strings.Fields(line)
	if len(f) > 2 {
		f = f[:2]
	}
	return strings.Join(f, " ")
}
