package lbctl

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
)

// hostile are strings that would split, extend or comment out a runtime API
// command if they reached the socket.
var hostile = []string{
	"s1\nshutdown sessions server be/s2", "s1;del server be/s2", "s1 ; show info", "s1#x", "#",
	"s1 extra", "s1\r", "s1\t", "'s1'", `"s1"`, "s1\\", "${HOME}", "$x", "%[src]", "s1/s2", "../s1",
	"s1{", "s1}", "é", "s\u00a0", "", strings.Repeat("a", 64), "s1\x00", "-s", ".s",
}

func TestHostileNamesNeverReachTheSocket(t *testing.T) {
	// The client points at a socket that does not exist: an argument that
	// passed validation would fail with ErrNoSocket instead of
	// ErrInvalidArgument.
	c := &Client{network: "unix", address: "/nonexistent/nbac.sock", socket: "/nonexistent/nbac.sock"}
	ctx := context.Background()
	for _, h := range hostile {
		calls := map[string]error{
			"SetState backend": c.SetState(ctx, h, "s1", Ready),
			"SetState server":  c.SetState(ctx, "be", h, Drain),
			"SetWeight":        c.SetWeight(ctx, "be", h, 10),
			"SetMaxConn":       c.SetMaxConn(ctx, h, "s1", 10),
			"SetAddr":          c.SetAddr(ctx, "be", "s1", h, 80),
			"AddServer name":   c.AddServer(ctx, "be", h, "127.0.0.1", 80, 1, AddOptions{}),
			"AddServer host":   c.AddServer(ctx, "be", "s9", h, 80, 1, AddOptions{}),
			"DelServer":        c.DelServer(ctx, "be", h),
		}
		_, err := c.Servers(ctx, h)
		calls["Servers"] = err
		for what, err := range calls {
			if !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("%s(%q): err = %v, want ErrInvalidArgument", what, h, err)
			}
		}
	}
}

func TestArgumentRanges(t *testing.T) {
	c := &Client{network: "unix", address: "/nonexistent/nbac.sock", socket: "/nonexistent/nbac.sock"}
	ctx := context.Background()
	for what, err := range map[string]error{
		"weight -1":      c.SetWeight(ctx, "be", "s1", -1),
		"weight 257":     c.SetWeight(ctx, "be", "s1", 257),
		"port 0":         c.AddServer(ctx, "be", "s9", "127.0.0.1", 0, 1, AddOptions{}),
		"port 65536":     c.SetAddr(ctx, "be", "s1", "127.0.0.1", 65536),
		"state bogus":    c.SetState(ctx, "be", "s1", AdminState("up")),
		"capital new":    c.AddServer(ctx, "be", "S9", "127.0.0.1", 80, 1, AddOptions{}),
		"maxconn -1":     c.SetMaxConn(ctx, "be", "s1", -1),
		"check port 0x1": c.AddServer(ctx, "be", "s9", "127.0.0.1", 80, 1, AddOptions{Check: &Check{Port: 70000}}),
	} {
		if !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%s: err = %v, want ErrInvalidArgument", what, err)
		}
	}
}

func TestLineChecksEveryWord(t *testing.T) {
	if l, err := line("add", "server", "be/s1", "[::1]:80", "check-ssl", "inter", "500"); err != nil || l != "add server be/s1 [::1]:80 check-ssl inter 500" {
		t.Errorf("line = %q, %v", l, err)
	}
	for _, w := range []string{"a b", "a;b", "a\nb", "#", "", "a'b", "$a", "%[x]"} {
		if _, err := line("set", w); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("line accepted word %q", w)
		}
	}
}

func TestParseSocket(t *testing.T) {
	for in, want := range map[string][2]string{
		"/run/haproxy/admin.sock": {"unix", "/run/haproxy/admin.sock"},
		"admin.sock":              {"unix", "admin.sock"},
		"unix@admin.sock":         {"unix", "admin.sock"},
		"unix:/tmp/a.sock":        {"unix", "/tmp/a.sock"},
		"tcp:127.0.0.1:9999":      {"tcp", "127.0.0.1:9999"},
		"ipv4@127.0.0.1:9999":     {"tcp", "127.0.0.1:9999"},
		"127.0.0.1:9999":          {"tcp", "127.0.0.1:9999"},
		"tcp:[::1]:9999":          {"tcp", "[::1]:9999"},
	} {
		n, a, err := ParseSocket(in)
		if err != nil || n != want[0] || a != want[1] {
			t.Errorf("ParseSocket(%q) = %q, %q, %v; want %q, %q", in, n, a, err, want[0], want[1])
		}
	}
	for _, bad := range []string{"", "tcp:nohost", "tcp:host:port"} {
		if _, _, err := ParseSocket(bad); err == nil {
			t.Errorf("ParseSocket(%q) accepted", bad)
		}
	}
}

func TestDialMissingSocket(t *testing.T) {
	path := t.TempDir() + "/admin.sock"
	_, err := Dial(context.Background(), path)
	if !errors.Is(err, ErrNoSocket) {
		t.Fatalf("err = %v, want ErrNoSocket", err)
	}
	want := "no HAProxy stats socket at " + path + ": is `stats socket` configured (stats { socket = ... }) and HAProxy running?"
	if err.Error() != want {
		t.Errorf("err = %q\nwant  %q", err, want)
	}
}

func TestDidYouMean(t *testing.T) {
	err := unknownServer("web", "app3", []string{"app1", "app2", "zzzz"})
	if !errors.Is(err, ErrUnknownServer) || !strings.Contains(err.Error(), `did you mean "app1"?`) || !strings.Contains(err.Error(), "servers: app1, app2, zzzz") {
		t.Errorf("err = %v", err)
	}
	if s := didYouMean("completely", []string{"app1"}); s != "" {
		t.Errorf("far name got a suggestion %q", s)
	}
}

// Root reads any socket, so the permission path is checked on the error
// a non-owner gets from connect(2).
func TestDialErrorPermission(t *testing.T) {
	c := &Client{network: "unix", address: "/run/haproxy/admin.sock", socket: "/run/haproxy/admin.sock"}
	err := c.dialError(&net.OpError{Op: "dial", Net: "unix", Err: os.NewSyscallError("connect", syscall.EACCES)})
	want := "permission denied on HAProxy stats socket /run/haproxy/admin.sock: run as the socket's owner or widen its `mode`/`user`/`group` on the `stats socket` line"
	if !errors.Is(err, ErrPermission) || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
	err = c.dialError(&net.OpError{Op: "dial", Net: "unix", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)})
	if !errors.Is(err, ErrNoSocket) || !strings.Contains(err.Error(), "a stale socket?") {
		t.Errorf("refused: %v", err)
	}
}
