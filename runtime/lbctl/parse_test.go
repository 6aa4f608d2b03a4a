package lbctl

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The fixtures are real HAProxy 2.6 answers: s1 drained and re-weighted,
// s2 failing its check, s3 added at runtime with a host name (still maint).
func TestParseServersStateAndStat(t *testing.T) {
	state, err := os.ReadFile("testdata/servers-state.txt")
	if err != nil {
		t.Fatal(err)
	}
	stat, err := os.ReadFile("testdata/stat.csv")
	if err != nil {
		t.Fatal(err)
	}
	servers, err := parseServersState(string(state))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := parseStat(string(stat))
	if err != nil {
		t.Fatal(err)
	}
	for i := range servers {
		r := rows["be_app/"+servers[i].Name]
		servers[i].Status, servers[i].CheckStatus, servers[i].Backup = r["status"], r["check_status"], r["bck"] == "1"
	}
	want := []Server{
		{Backend: "be_app", Name: "s1", ID: 1, Addr: "127.0.0.1", Port: 19001, Admin: Drain, AdminFlags: 8, Op: Running, Weight: 30, InitialWeight: 100, Status: "DRAIN"},
		{Backend: "be_app", Name: "s2", ID: 2, Addr: "127.0.0.1", Port: 19002, Admin: Ready, Op: Stopped, Weight: 100, InitialWeight: 100, Status: "DOWN", CheckStatus: "L4CON"},
		{Backend: "be_app", Name: "s3", ID: 3, FQDN: "host.example", Port: 8080, Admin: Maint, AdminFlags: 1, Op: Stopped, Weight: 5, InitialWeight: 5, Status: "MAINT", Backup: true},
	}
	if d := cmp.Diff(want, servers); d != "" {
		t.Errorf("servers (-want +got):\n%s", d)
	}
	if got := rows["be_app/s3"]["slim"]; got != "7" {
		t.Errorf("s3 slim = %q, want 7 (maxconn)", got)
	}
	if r := []string{servers[0].AdminReason(), servers[1].AdminReason(), servers[2].AdminReason()}; r[0] != "operator" || r[1] != "" || r[2] != "operator" || !servers[0].Forced() || servers[1].Forced() {
		t.Errorf("admin reasons = %q", r)
	}
	if dns := (Server{Admin: Maint, AdminFlags: admRMaint}); dns.Forced() || dns.AdminReason() != "dns" {
		t.Errorf("a server in maint for DNS: forced %t, reason %q", dns.Forced(), dns.AdminReason())
	}
	if servers[2].Host() != "host.example" || servers[0].Host() != "127.0.0.1" {
		t.Errorf("Host() = %q, %q", servers[2].Host(), servers[0].Host())
	}
}

func TestParseRejectsGarbage(t *testing.T) {
	for _, in := range []string{"", "Unknown command\n", "2\n# x\n", "1\n3 be 1 s1\n"} {
		if _, err := parseServersState(in); err == nil {
			t.Errorf("parseServersState(%q) accepted garbage", in)
		}
	}
	if _, err := parseStat("No such proxy.\n"); err == nil {
		t.Error("parseStat accepted an error answer")
	}
}

func TestEnsureStateFile(t *testing.T) {
	path := t.TempDir() + "/haproxy.state"
	if err := EnsureStateFile(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if s, err := parseServersState(string(b)); err != nil || len(s) != 0 {
		t.Errorf("empty state file parses as %v, %v", s, err)
	}
	if err := os.WriteFile(path, []byte("1\nkept\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := EnsureStateFile(path); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "1\nkept\n" {
		t.Errorf("EnsureStateFile overwrote an existing state: %q", b)
	}
}
