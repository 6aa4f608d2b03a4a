package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nbac/nbac/runtime/lbctl"
	"github.com/nbac/nbac/runtime/lbctl/lbctltest"
)

// lbRun runs `nbac ARGS` in-process and returns exit code, stdout, stderr.
func lbRun(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// lbHCL is a configuration with one HAProxy load balancer "web"; servers
// are "name=port:weight" pairs on 127.0.0.1.
func lbHCL(dir string, listen, stats int, servers ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "project \"t\" {\n  namespace = \"t\"\n}\n\nload_balancer \"web\" {\n  targets   = [\"haproxy\"]\n  listen    = %d\n  algorithm = \"weighted_round_robin\"\n", listen)
	for _, s := range servers {
		var name string
		var port, weight int
		if _, err := fmt.Sscanf(strings.Replace(s, "=", " ", 1), "%s %d:%d", &name, &port, &weight); err != nil {
			panic(err)
		}
		fmt.Fprintf(&b, "  backend %q {\n    address = \"127.0.0.1:%d\"\n    weight  = %d\n  }\n", name, port, weight)
	}
	fmt.Fprintf(&b, "  stats {\n    listen     = %d\n    socket     = %q\n    state_file = %q\n  }\n}\n\n", stats, filepath.Join(dir, "admin.sock"), filepath.Join(dir, "haproxy.state"))
	b.WriteString("load_balancer \"edge\" {\n  targets = [\"nginx\"]\n  listen  = 9\n  backend \"a\" { address = \"127.0.0.1:1\" }\n}\n")
	return b.String()
}

func writeHCL(t *testing.T, dir, text string) string {
	t.Helper()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "main.hcl"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return src
}

func TestLBUsageAndModelErrors(t *testing.T) {
	dir := t.TempDir()
	src := writeHCL(t, dir, lbHCL(dir, 18080, 18404, "app1=19001:3", "app2=19002:1"))
	for _, tc := range []struct {
		args []string
		want string // in stderr
	}{
		{[]string{"lb"}, "nbac: nbac lb needs a subcommand"},
		{[]string{"lb", "bogus", src}, `unknown lb subcommand "bogus"`},
		{[]string{"lb", "stauts", src}, `Did you mean "status"?`},
		{[]string{"lb", "status", src, "-sockett", "x"}, "Did you mean -socket?"},
		{[]string{"lb", "drain", src, "web"}, "takes 3 argument(s) (PATH BACKEND SERVER), got 2"},
		{[]string{"lb", "weight", src, "web", "app1", "300"}, `weight "300": want an integer in 0..256`},
		{[]string{"lb", "drain", src, "wbe", "app1"}, `no load_balancer "wbe" in the configuration: did you mean "web"?`},
		{[]string{"lb", "drain", src, "edge", "a"}, `load balancer "edge" targets nginx only`},
		{[]string{"lb", "status", src, "-lb", "edge"}, `targets nginx only`},
		{[]string{"lb", "status", src}, "no HAProxy stats socket at " + filepath.Join(dir, "admin.sock") + ": is `stats socket` configured"},
		{[]string{"lb", "sync", src, "-socket", filepath.Join(dir, "nope.sock")}, "no HAProxy stats socket at " + filepath.Join(dir, "nope.sock")},
		{[]string{"lb", "status", src, "-timeout", "0s"}, "-timeout must be positive"},
		{[]string{"lb", "status", src, "-nosuchflag"}, "flag provided but not defined: -nosuchflag"},
		{[]string{"lb", "status", filepath.Join(dir, "missing")}, "missing"},
	} {
		code, _, stderr := lbRun(tc.args...)
		// Diagnostic details wrap at the text width: compare words.
		if code != exitError || !strings.Contains(strings.Join(strings.Fields(stderr), " "), tc.want) {
			t.Errorf("nbac %s: exit %d, stderr:\n%s\nwant exit 1 and %q", strings.Join(tc.args, " "), code, stderr, tc.want)
		}
	}
	if code, out, _ := lbRun("help", "lb"); code != exitOK || !strings.Contains(out, "nbac lb SUBCOMMAND") {
		t.Errorf("nbac help lb: exit %d\n%s", code, out)
	}
}

// TestLBAgainstHAProxy builds the HCL with `nbac build`, runs HAProxy on the
// emitted config, drives it with `nbac lb`, edits the HCL and syncs.
func TestLBAgainstHAProxy(t *testing.T) {
	lbctltest.Binary(t, "haproxy")
	dir := t.TempDir()
	app1 := lbctltest.StartBackend(t, "app1")
	app2 := lbctltest.StartBackend(t, "app2")
	app3 := lbctltest.StartBackend(t, "app3")
	listen, stats := lbctltest.FreePort(t), lbctltest.FreePort(t)
	servers := func(s ...string) string { return lbHCL(dir, listen, stats, s...) }
	src := writeHCL(t, dir, servers(fmt.Sprintf("app1=%d:3", app1.Port), fmt.Sprintf("app2=%d:1", app2.Port)))
	out := filepath.Join(dir, "out")
	if code, stdout, stderr := lbRun("build", src, "-o", out); code != exitOK {
		t.Fatalf("nbac build: exit %d\n%s%s", code, stdout, stderr)
	}
	cfg, err := os.ReadFile(filepath.Join(out, "haproxy", "web.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	// HAProxy warns about a missing state file; give it an empty one.
	state := filepath.Join(dir, "haproxy.state")
	if err := lbctl.EnsureStateFile(state); err != nil {
		t.Fatal(err)
	}
	proc := lbctltest.HAProxy(t, dir, string(cfg), []int{listen}, filepath.Join(dir, "admin.sock"))
	url := fmt.Sprintf("http://127.0.0.1:%d/", listen)
	c := lbctltest.Client()

	lb := func(args ...string) string {
		t.Helper()
		code, stdout, stderr := lbRun(append([]string{"lb"}, args...)...)
		if code != exitOK {
			t.Fatalf("nbac lb %s: exit %d\n%s%s", strings.Join(args, " "), code, stdout, stderr)
		}
		return stdout
	}
	if got := lb("status", src); !strings.Contains(got, "HAProxy matches the model.") || !strings.Contains(got, "app1") {
		t.Errorf("status of a fresh HAProxy:\n%s", got)
	}
	if got := lbctltest.Spread(t, c, url, 40); got["app1"] != 30 || got["app2"] != 10 {
		t.Errorf("weights 3:1: %v", got)
	}

	// A server name cannot carry a second command (HAProxy splits on ';').
	if code, _, stderr := lbRun("lb", "disable", src, "web", "app1;set server be_web/app2 state maint"); code != exitError || !strings.Contains(stderr, "invalid argument: server name") {
		t.Errorf("hostile server name: exit %d\n%s", code, stderr)
	}
	if got := lbctltest.Spread(t, c, url, 4); got["app1"] != 3 || got["app2"] != 1 {
		t.Errorf("after the refused hostile name, weights 3:1 over 4: %v (was a command injected?)", got)
	}

	lb("drain", src, "web", "app1")
	if got := lbctltest.Spread(t, c, url, 10); got["app2"] != 10 {
		t.Errorf("app1 draining: %v, want all on app2", got)
	}
	if got := lb("status", src); !strings.Contains(got, "drift: state drain -> ready") {
		t.Errorf("status after drain shows no drift:\n%s", got)
	}
	saved, _ := os.ReadFile(state)
	if !strings.Contains(string(saved), " app1 ") {
		t.Errorf("drain did not save the server state:\n%s", saved)
	}
	lb("enable", src, "be_web", "app1")
	lb("disable", src, "web", "app2")
	if got := lbctltest.Spread(t, c, url, 10); got["app1"] != 10 {
		t.Errorf("app2 disabled: %v, want all on app1", got)
	}
	lb("enable", src, "web", "app2", "-socket", filepath.Join(dir, "admin.sock"))
	lb("weight", src, "web", "app2", "3")
	if got := lbctltest.Spread(t, c, url, 40); got["app1"] != 20 || got["app2"] != 20 {
		t.Errorf("weights 3:3: %v", got)
	}

	// Edit the HCL: app1 leaves, app3 joins, app2 goes back to weight 1.
	writeHCL(t, dir, servers(fmt.Sprintf("app2=%d:1", app2.Port), fmt.Sprintf("app3=%d:3", app3.Port)))
	got := lb("status", src)
	for _, want := range []string{"app1", "drift: not in the model", "weight 3 -> 1", "drift: not on HAProxy (model: 127.0.0.1:" + fmt.Sprint(app3.Port) + " weight 3)", "3 change(s) from the model"} {
		if !strings.Contains(got, want) {
			t.Errorf("status after the edit lacks %q:\n%s", want, got)
		}
	}
	if got := lb("sync", src, "-dry-run"); !strings.Contains(got, "would add") || !strings.Contains(got, "nothing changed") {
		t.Errorf("sync -dry-run:\n%s", got)
	}
	got = lb("sync", src)
	for _, want := range []string{"done  add     be_web/app3", "done  weight  be_web/app2: weight 3 -> 1", "done  remove  be_web/app1", "3 change(s) applied without a reload.", "Server state saved to " + state} {
		if !strings.Contains(got, want) {
			t.Errorf("sync output lacks %q:\n%s", want, got)
		}
	}
	if !proc.Alive() {
		t.Fatalf("HAProxy (pid %d) is gone", proc.PID)
	}
	if got := lbctltest.Spread(t, c, url, 40); got["app1"] != 0 || got["app2"]+got["app3"] != 40 || got["app2"] < 9 || got["app2"] > 11 {
		t.Errorf("after sync, app2:app3 = 1:3: %v", got)
	}
	if got := lb("status", src); !strings.Contains(got, "HAProxy matches the model.") {
		t.Errorf("status after sync:\n%s", got)
	}
	if got := lb("sync", src); !strings.Contains(got, "nothing to do") {
		t.Errorf("second sync:\n%s", got)
	}
	saved, _ = os.ReadFile(state)
	if !strings.Contains(string(saved), " app3 ") || strings.Contains(string(saved), " app1 ") {
		t.Errorf("state file after sync:\n%s", saved)
	}
}
