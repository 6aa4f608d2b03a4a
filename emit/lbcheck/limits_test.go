package lbcheck_test

import (
	"testing"
	"time"

	"github.com/nbac/nbac/emit/haproxy"
	"github.com/nbac/nbac/emit/lbcheck"
	"github.com/nbac/nbac/emit/lbconf/lbtest"
	"github.com/nbac/nbac/emit/nginx"
	"github.com/nbac/nbac/schema"
	"github.com/nbac/nbac/schema/validate"
)

// TestLimits: every number at the edge of what validation accepts gives
// configurations both real validators accept (the ranges in validate are
// the targets' real limits, not guesses).
func TestLimits(t *testing.T) {
	lbcheck.Require(t)
	day := schema.Duration(24 * time.Hour)
	setTimeouts := func(lb *schema.LoadBalancer, d schema.Duration) {
		to := &lb.Timeouts
		to.Connect, to.Client, to.Server, to.HTTPRequest, to.KeepAlive, to.Queue = d, d, d, d, d, d
	}
	cases := map[string]func(lb *schema.LoadBalancer){
		"max rate and burst": func(lb *schema.LoadBalancer) {
			lb.RateLimit = &schema.RateLimit{RequestsPerSecond: 1_000_000, Burst: 10_000_000}
		},
		"min rate": func(lb *schema.LoadBalancer) { lb.RateLimit = &schema.RateLimit{RequestsPerSecond: 1} },
		"max server maxconn": func(lb *schema.LoadBalancer) {
			lb.Backends[0].MaxConn = 1_000_000
		},
		"max global maxconn for nginx": func(lb *schema.LoadBalancer) { lb.MaxConn = 65535 },
		"max rise and fall": func(lb *schema.LoadBalancer) {
			lb.HealthCheck = lbtest.HealthCheck()
			lb.HealthCheck.Rise, lb.HealthCheck.Fall = 1000, 1000
		},
		"longest check": func(lb *schema.LoadBalancer) {
			lb.HealthCheck = lbtest.HealthCheck()
			lb.HealthCheck.Interval, lb.HealthCheck.Timeout = day, day
		},
		"shortest check": func(lb *schema.LoadBalancer) {
			lb.HealthCheck = lbtest.HealthCheck()
			lb.HealthCheck.Interval, lb.HealthCheck.Timeout = 1, 1
		},
		"longest timeouts":  func(lb *schema.LoadBalancer) { setTimeouts(lb, day) },
		"shortest timeouts": func(lb *schema.LoadBalancer) { setTimeouts(lb, 1) },
		"ports and weights": func(lb *schema.LoadBalancer) {
			lb.Listen = 65535
			lb.Backends[0].Port, lb.Backends[0].Weight = 1, 1
			lb.Backends[1].Port, lb.Backends[1].Weight = 65535, 256
		},
		"expect status bounds": func(lb *schema.LoadBalancer) {
			lb.HealthCheck = lbtest.HealthCheck()
			lb.HealthCheck.ExpectStatus = 599
		},
		"long hsts": func(lb *schema.LoadBalancer) {
			lb.TLS = &schema.TLS{Certificate: "/nonexistent/edge.pem",
				HSTS: &schema.HSTS{MaxAge: schema.Duration(100 * 365 * 24 * time.Hour), IncludeSubdomains: true, Preload: true}}
		},
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			lb := lbtest.Base("edge")
			edit(&lb)
			m := lbtest.Model(lb)
			if d := validate.Model(m); d.HasErrors() {
				t.Fatalf("not valid: %v", d)
			}
			h, _ := haproxy.Emit(m)
			n, _ := nginx.Emit(m)
			if err := lbcheck.HAProxy(h[0].Data); err != nil {
				t.Error(err)
			}
			if err := lbcheck.Nginx(n[0].Data); err != nil {
				t.Error(err)
			}
		})
	}
}
