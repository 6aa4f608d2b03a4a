package lbconf

import (
	"strings"
	"testing"
	"time"

	"github.com/nbac/nbac/schema"
)

func TestDuration(t *testing.T) {
	for in, want := range map[time.Duration]string{
		5 * time.Second:         "5s",
		90 * time.Second:        "90s",
		2 * time.Minute:         "2m",
		3 * time.Hour:           "3h",
		1500 * time.Millisecond: "1500ms",
		time.Microsecond:        "1ms",
		0:                       "0s",
	} {
		if got := Duration(schema.Duration(in)); got != want {
			t.Errorf("Duration(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestServers(t *testing.T) {
	m := &schema.Model{Project: schema.Project{Namespace: "shop"}}
	lb := &schema.LoadBalancer{Name: "edge", Backends: []schema.Backend{
		{Name: "b", Host: "2001:db8::1", Port: 80, Weight: 7, Backup: true, MaxConn: 3},
		{Name: "a", Host: "app.internal", Port: 81, Weight: 100},
	}}
	s := Servers(m, lb)
	// Declaration order is kept (it matters to some algorithms).
	if len(s) != 2 || s[0].Name != "b" || s[0].Addr() != "[2001:db8::1]:80" || s[0].IsName || !s[0].Backup ||
		s[1].Addr() != "app.internal:81" || !s[1].IsName || !HasBackup(s) {
		t.Fatalf("%+v", s)
	}
	lb.Backends = nil
	lb.BackendsFrom = &schema.BackendsFrom{Service: "api", Port: 8000}
	s = Servers(m, lb)
	if len(s) != 1 || s[0].Addr() != "api.shop.svc.cluster.local:8000" || s[0].Weight != DefaultWeight {
		t.Fatalf("%+v", s)
	}
}

func TestHeaderEscapes(t *testing.T) {
	h := Header(&schema.LoadBalancer{Name: "a\nglobal\x00é"})
	if strings.ContainsAny(h, "\n\x00") || !strings.Contains(h, `\n`) {
		t.Fatalf("header %q", h)
	}
}

func TestSelect(t *testing.T) {
	m := &schema.Model{LoadBalancers: []schema.LoadBalancer{
		{Name: "a", Targets: []string{"nginx"}}, {Name: "b", Targets: []string{"haproxy", "nginx"}}, {Name: "c", Targets: []string{"haproxy"}},
	}}
	var got []string
	for _, lb := range Select(m, HAProxy) {
		got = append(got, lb.Name)
	}
	if strings.Join(got, ",") != "b,c" {
		t.Fatalf("got %v", got)
	}
}
