package lbctl

import (
	"fmt"
	"net/netip"

	"github.com/nbac/nbac/schema"
)

// These functions restate the HAProxy emitter's naming and server options.
// The runtime may not import emit, so emit/lbtest holds a test that emits
// configs, starts HAProxy on them and requires an empty Plan: any
// divergence between the two shows up there as drift.

// BackendName is the HAProxy backend the emitter writes for lb: "be_"
// and the load balancer's name (servers keep their backend block labels).
func BackendName(lb *schema.LoadBalancer) string { return "be_" + lb.Name }

// Desired is one server as the model wants it.
type Desired struct {
	Name    string
	Host    string
	Port    int
	Weight  int
	Backup  bool
	MaxConn int
}

func (d Desired) String() string {
	s := fmt.Sprintf("%s weight %d", hostPort(d.Host, d.Port), d.Weight)
	if d.Backup {
		s += " backup"
	}
	if d.MaxConn > 0 {
		s += fmt.Sprintf(" maxconn %d", d.MaxConn)
	}
	return s
}

func (d Desired) isIP() bool { _, err := netip.ParseAddr(d.Host); return err == nil }

// DesiredServers lists lb's servers in model order: each `backend` block,
// or the one Kubernetes Service of `backends_from`.
func DesiredServers(lb *schema.LoadBalancer) []Desired {
	if bf := lb.BackendsFrom; bf != nil {
		return []Desired{{
			Name:   bf.Service,
			Host:   fmt.Sprintf("%s.%s.svc.cluster.local", bf.Service, bf.Namespace),
			Port:   bf.Port,
			Weight: 100,
		}}
	}
	out := make([]Desired, 0, len(lb.Backends))
	for _, b := range lb.Backends {
		out = append(out, Desired{Name: b.Name, Host: b.Host, Port: b.Port, Weight: b.Weight, Backup: b.Backup, MaxConn: b.MaxConn})
	}
	return out
}

// CheckFor is the per-server part of lb's health check, as the emitter puts
// it on each server line; nil when lb has no health check.
func CheckFor(lb *schema.LoadBalancer) *Check {
	hc := lb.HealthCheck
	if hc == nil {
		return nil
	}
	return &Check{
		Inter: hc.Interval.D(),
		Rise:  hc.Rise,
		Fall:  hc.Fall,
		SSL:   hc.Type == "https",
	}
}
