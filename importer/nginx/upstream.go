package nginx

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tufanbarisyildirim/gonginx/config"

	"github.com/nbac/nbac/importer"
	"github.com/nbac/nbac/importer/lbhcl"
)

// upstream fills lb's backends, algorithm, passive health check and
// affinity from an upstream block.
func (e *estate) upstream(lb *lbhcl.LB, u *upstream) {
	s := u.src
	e.use(u.d)
	type srv struct {
		d               config.IDirective
		be              lbhcl.Backend
		weight          int
		maxFails        int
		failTimeout     time.Duration
		explicitPassive bool
	}
	var servers []*srv
	taken := map[string]bool{}
	for _, d := range children(u.d) {
		ps, variable := params(d)
		switch name := d.GetName(); {
		case name == "server" && len(ps) >= 1 && !variable:
			x := &srv{d: d, weight: 1, maxFails: 1, failTimeout: 10 * time.Second}
			addr := ps[0]
			if strings.HasPrefix(addr, "unix:") {
				e.report(s, d, "server "+addr, importer.OutOfRange, "nbac's backends are HOST:PORT.")
				continue
			}
			if !strings.Contains(strings.TrimPrefix(addr, "["), ":") || strings.HasSuffix(addr, "]") {
				addr += ":80" // Nginx's default port
			}
			// Upstream servers have no names: a host name's first label
			// names the backend, an address its position.
			label := fmt.Sprintf("server%d", len(servers)+1)
			if host, _, _ := strings.Cut(addr, ":"); host != "" && !strings.ContainsAny(host[:1], "0123456789[") {
				if l, ok := lbhcl.Label(strings.Split(host, ".")[0], "s_"); ok {
					label = l
				}
			}
			x.be = lbhcl.Backend{Name: lbhcl.Unique(label, taken), Address: addr}
			if !e.serverParams(s, d, x.be.Name, ps[1:], &x.be, &x.weight, &x.maxFails, &x.failTimeout, &x.explicitPassive) {
				continue
			}
			e.use(d)
			servers = append(servers, x)
		case name == "least_conn" && len(ps) == 0:
			lb.Algorithm = "least_connections"
			e.use(d)
		case name == "ip_hash" && len(ps) == 0:
			lb.Algorithm = "ip_hash"
			e.r.NotImported(s.file, s.line(d), "ip_hash (IPv4 /24 grouping)", importer.NoEquivalent,
				"nbac's ip_hash is `hash $binary_remote_addr consistent`: the whole address, on a consistent ring. Each client still sticks to one server, but clients are spread afresh, and one /24 no longer shares a server.")
			e.use(d)
		case name == "hash" && len(ps) >= 1:
			switch key := ps[0]; {
			case key == "$remote_addr" || key == "$binary_remote_addr":
				lb.Algorithm = "ip_hash"
				e.use(d)
			case strings.HasPrefix(key, "$cookie_") && lb.Mode != "tcp":
				lb.Sticky = &lbhcl.Sticky{Cookie: strings.TrimPrefix(key, "$cookie_")}
				e.use(d)
			default:
				e.report(s, d, "hash "+key, importer.OutOfRange, "nbac hashes the client address (ip_hash) or an affinity cookie ($cookie_NAME); round_robin is used.")
			}
			if len(ps) == 1 {
				e.r.NotImported(s.file, s.line(d), "hash without consistent", importer.NoEquivalent, "nbac's hash is always consistent (ketama): fewer clients move when a server is added or removed.")
			}
		}
	}
	if len(servers) == 0 {
		return
	}
	weighted := false
	for _, x := range servers {
		weighted = weighted || x.weight != servers[0].weight
	}
	if weighted && lb.Algorithm == "" {
		lb.Algorithm = "weighted_round_robin"
	}
	// A consistent hash places each server by its weight (Nginx: 160
	// points per unit), so hashed upstreams keep their weights even when
	// equal: nbac's default (100) would move every client.
	hashed := lb.Algorithm == "ip_hash" || lb.Sticky != nil
	passive := false
	for _, x := range servers {
		if weighted || hashed {
			w := x.weight
			x.be.Weight = &w
		}
		lb.Backends = append(lb.Backends, x.be)
		passive = passive || x.explicitPassive
	}
	if !passive {
		return
	}
	first := servers[0]
	if first.maxFails == 0 {
		e.r.NotImported(s.file, s.line(first.d), "max_fails=0", importer.NoEquivalent, "nbac's passive check always marks a failing server down; no health_check is imported.")
		return
	}
	interval := first.failTimeout / time.Duration(first.maxFails)
	if interval < time.Second {
		interval = time.Second
	}
	interval = interval.Round(time.Second)
	lb.HealthCheck = &lbhcl.HealthCheck{Interval: lbhcl.FormatDuration(interval), Fall: first.maxFails}
	if lb.Mode == "tcp" {
		lb.HealthCheck.Type = "tcp"
	}
	if interval*time.Duration(first.maxFails) != first.failTimeout {
		e.r.NotImported(s.file, s.line(first.d), "fail_timeout", importer.OutOfRange,
			fmt.Sprintf("nbac writes fail_timeout = interval x fall in whole seconds: %s here.", lbhcl.FormatDuration(interval*time.Duration(first.maxFails))))
	}
	for _, x := range servers[1:] {
		if x.maxFails != first.maxFails || x.failTimeout != first.failTimeout {
			e.r.NotImported(s.file, s.line(x.d), "per-server max_fails/fail_timeout", importer.NoEquivalent, "nbac's health_check applies one fall and interval to every server; the first server's are used.")
		}
	}
}

// serverParams reads an upstream server's parameters; false when the
// server cannot be imported.
func (e *estate) serverParams(s *source, d config.IDirective, name string, ps []string, be *lbhcl.Backend, weight, maxFails *int, failTimeout *time.Duration, explicit *bool) bool {
	for _, p := range ps {
		k, v, _ := strings.Cut(p, "=")
		n, nerr := strconv.Atoi(v)
		switch k {
		case "weight":
			if nerr != nil || n < 1 || n > 256 {
				e.report(s, d, "server weight="+v, importer.OutOfRange, "nbac's weight is 1 to 256 for Nginx.")
				return false
			}
			*weight = n
		case "max_fails":
			if nerr != nil || n < 0 || n > 100 {
				e.report(s, d, "server max_fails="+v, importer.OutOfRange, "nbac's fall is 1 to 100.")
				return false
			}
			*maxFails, *explicit = n, true
		case "fail_timeout":
			t, ok := parseDuration(v)
			if !ok || t <= 0 || t > 24*time.Hour {
				e.report(s, d, "server fail_timeout="+v, importer.OutOfRange, "Not a duration nbac accepts.")
				return false
			}
			*failTimeout, *explicit = t, true
		case "max_conns":
			if nerr != nil || n < 0 || n > 1000000 {
				e.report(s, d, "server max_conns="+v, importer.OutOfRange, "nbac's max_conn is 0 to 1000000.")
				return false
			}
			be.MaxConn = n
		case "backup":
			be.Backup = true
		case "down":
			e.report(s, d, "server "+name+" down", importer.NoEquivalent, "nbac has no permanently-down backend; the server is left out (add it back when it serves).")
			return false
		default:
			e.r.NotImported(s.file, s.line(d), "server "+k+" ("+name+")", importer.NoEquivalent, "nbac's backend has address, weight, backup and max_conn; this parameter is dropped.")
		}
	}
	return true
}
