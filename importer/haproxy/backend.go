package haproxy

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nbac/nbac/importer"
	"github.com/nbac/nbac/importer/haproxycfg"
	"github.com/nbac/nbac/importer/lbhcl"
)

// algorithms maps HAProxy's balance algorithms to nbac's.
var algorithms = map[string]string{
	"roundrobin": "round_robin", "static-rr": "round_robin", "leastconn": "least_connections", "source": "ip_hash",
}

// server is one server line read.
type server struct {
	l                 *haproxycfg.Line
	be                lbhcl.Backend
	weight            int
	check             bool
	cookie            string
	inter, rise, fall string
}

// backend reads the serving side: balance, servers, checks, affinity.
func (c *conv) backend() {
	algo := "round_robin"
	var servers []*server
	var defaults server // default-server options
	httpchk := false
	consistent := false
	var balance *haproxycfg.Line
	var cookie *haproxycfg.Line
	var stickOn, stickTable *haproxycfg.Line
	for _, l := range c.be.lines() {
		if c.skip(l) {
			continue
		}
		w := l.Words()
		switch {
		case w[0] == "balance" && len(w) >= 2:
			if a, ok := algorithms[w[1]]; ok && len(w) == 2 {
				algo, balance = a, l
				c.f.use(l)
			} else {
				algo = "round_robin"
				c.f.report(l, "balance "+w[1], importer.OutOfRange, "nbac balances by round_robin, weighted_round_robin, least_connections or ip_hash (roundrobin, static-rr, leastconn, source); round_robin is used.")
			}
		case w[0] == "mode" && len(w) == 2 && c.be != c.fe:
			if w[1] == "http" && c.lb.Mode == "" || w[1] == "tcp" && c.lb.Mode == "tcp" {
				c.f.use(l)
			} else {
				c.f.report(l, "mode "+w[1], importer.OutOfRange, "The backend's mode differs from the frontend's; nbac has one mode per load_balancer, the frontend's.")
			}
		case w[0] == "hash-type" && algo == "ip_hash" && len(w) == 2 && w[1] == "consistent":
			c.f.use(l)
			consistent = true
		case w[0] == "default-server":
			defaults = server{l: l, weight: 1}
			c.serverOptions(&defaults, l, w[1:])
		case w[0] == "server" && len(w) >= 3:
			if s := c.server(l, defaults); s != nil {
				servers = append(servers, s)
			}
		case w[0] == "option" && len(w) >= 2 && w[1] == "httpchk":
			httpchk = true
			c.httpchk(l, w[2:])
		case w[0] == "option" && len(w) == 2 && w[1] == "tcp-check":
			c.f.use(l)
		case w[0] == "http-check" && len(w) >= 2:
			c.httpCheck(l, w[1:])
		case w[0] == "timeout" && len(w) == 3 && c.be != c.fe:
			c.timeout(l, w[1], w[2])
		case w[0] == "timeout" && len(w) == 3 && w[1] == "check":
			c.timeout(l, w[1], w[2])
		case w[0] == "cookie" && len(w) >= 2:
			cookie = l
		case w[0] == "stick-table" && c.be != c.fe:
			stickTable = l
		case w[0] == "stick-table" && !c.isRateTable(l):
			stickTable = l
		case w[0] == "stick" && len(w) == 3 && w[1] == "on" && w[2] == "src":
			stickOn = l
		}
	}
	if algo == "ip_hash" && !consistent && balance != nil {
		c.f.r.NotImported(c.f.file, balance.Num, "balance source without hash-type consistent", importer.NoEquivalent,
			"nbac's ip_hash is balance source with hash-type consistent: each client still sticks to one server, but clients are mapped afresh, and fewer move when a server comes or goes.")
	}
	c.servers(servers, algo, httpchk)
	c.affinity(servers, cookie, stickOn, stickTable)
}

// serverOptions reads server (or default-server) options from w.
func (c *conv) serverOptions(s *server, l *haproxycfg.Line, w []string) {
	c.f.use(l)
	for i := 0; i < len(w); i++ {
		val := ""
		if i+1 < len(w) {
			val = w[i+1]
		}
		switch w[i] {
		case "weight":
			if n, err := strconv.Atoi(val); err == nil && n >= 0 && n <= 256 {
				s.weight = n
			} else {
				c.f.r.NotImported(c.f.file, l.Num, "weight "+val, importer.OutOfRange, "nbac's weight is 0 to 256; HAProxy's default (1) is used.")
			}
			i++
		case "maxconn":
			if n, err := strconv.Atoi(val); err == nil && n >= 0 && n <= 1000000 {
				s.be.MaxConn = n
			} else {
				c.f.r.NotImported(c.f.file, l.Num, "maxconn "+val, importer.OutOfRange, "nbac's max_conn is 0 to 1000000.")
			}
			i++
		case "backup":
			s.be.Backup = true
		case "check":
			s.check = true
		case "cookie":
			s.cookie = val
			i++
		case "inter":
			s.inter = val
			i++
		case "rise":
			s.rise = val
			i++
		case "fall":
			s.fall = val
			i++
		case "init-addr":
			i++ // nbac writes init-addr last,libc,none itself
		default:
			what := "server option " + w[i]
			if l.Keyword() == "default-server" {
				what = "default-server option " + w[i]
			}
			c.f.r.NotImported(c.f.file, l.Num, what, importer.NoEquivalent, serverOptionDetail(w[i]))
			if serverArity[w[i]] {
				i++
			}
		}
	}
}

func serverOptionDetail(opt string) string {
	switch opt {
	case "ssl", "verify", "ca-file", "sni", "crt", "check-ssl", "alpn", "ssl-min-ver", "ciphers":
		return "nbac speaks plain HTTP to its backends (TLS ends at the load balancer); this option is dropped."
	}
	return "nbac's backend has address, weight, backup and max_conn; this option is dropped."
}

// serverArity are server options that take a value.
var serverArity = map[string]bool{
	"verify": true, "ca-file": true, "sni": true, "crt": true, "alpn": true, "ssl-min-ver": true, "ssl-max-ver": true,
	"ciphers": true, "port": true, "addr": true, "resolvers": true, "resolve-prefer": true, "resolve-opts": true,
	"slowstart": true, "fastinter": true, "downinter": true, "on-error": true, "on-marked-down": true,
	"on-marked-up": true, "observe": true, "error-limit": true, "maxqueue": true, "minconn": true, "id": true,
	"check-sni": true, "proto": true, "source": true, "agent-port": true, "agent-inter": true, "agent-check": false,
	"pool-max-conn": true, "pool-purge-delay": true, "max-reuse": true, "track": true, "namespace": true,
	"redir": true, "tcp-ut": true, "check-alpn": true, "check-proto": true, "agent-addr": true, "agent-send": true,
}

func (c *conv) server(l *haproxycfg.Line, defaults server) *server {
	w := l.Words()
	s := defaults
	s.l = l
	if s.weight == 0 && defaults.l == nil {
		s.weight = 1
	}
	label, ok := lbhcl.Label(w[1], "s_")
	if !ok {
		c.f.report(l, "server "+w[1], importer.OutOfRange, "Its name leaves no usable backend label ([a-z][a-z0-9_]*).")
		return nil
	}
	s.be.Name = label
	addr := w[2]
	if strings.Count(addr, ":") == 0 || strings.HasSuffix(addr, ":") {
		c.f.report(l, "server "+w[1], importer.OutOfRange, fmt.Sprintf("%q has no port; nbac's backend address is HOST:PORT.", addr))
		return nil
	}
	s.be.Address = addr
	c.serverOptions(&s, l, w[3:])
	return &s
}

// servers writes the backend blocks, the algorithm (weighted when weights
// differ) and the health check.
func (c *conv) servers(servers []*server, algo string, httpchk bool) {
	taken := map[string]bool{}
	weighted := false
	for _, s := range servers {
		weighted = weighted || s.weight != servers[0].weight
	}
	if weighted && algo == "round_robin" {
		algo = "weighted_round_robin"
	}
	if algo != "round_robin" {
		c.lb.Algorithm = algo
	}
	var checked *server
	for _, s := range servers {
		be := s.be
		be.Name = lbhcl.Unique(be.Name, taken)
		// A consistent hash places each server by its weight, so a
		// hashed backend keeps its weights even when equal: nbac's
		// default (100) would move clients.
		if weighted || algo == "ip_hash" {
			n := s.weight
			be.Weight = &n
		}
		c.lb.Backends = append(c.lb.Backends, be)
		if s.check && checked == nil {
			checked = s
		}
	}
	if checked == nil {
		if c.lb.HealthCheck != nil || httpchk {
			c.f.r.NotImported(c.f.file, c.be.s.Line, "health check settings", importer.NoEquivalent, "No server has `check`, so HAProxy does not check them; no health_check is imported.")
			c.lb.HealthCheck = nil
		}
		return
	}
	h := c.healthCheck()
	if !httpchk {
		h.Type = "tcp"
		if c.lb.Mode == "tcp" {
			h.Type = ""
		}
		h.Path, h.Method, h.Host, h.ExpectStatus = "", "", "", 0
	} else if c.lb.Mode == "tcp" {
		h.Type = "http"
	}
	if d, ok := parseDuration(checked.inter); ok && d > 0 {
		h.Interval = lbhcl.FormatDuration(d)
	} else if checked.inter == "" {
		h.Interval = "2s" // HAProxy's default inter
	}
	h.Rise = atoiOr(checked.rise, 2)
	h.Fall = atoiOr(checked.fall, 3)
	for _, s := range servers {
		if !s.check {
			c.f.r.NotImported(c.f.file, s.l.Num, "server "+s.l.Words()[1]+" without check", importer.NoEquivalent, "nbac checks every server of a load_balancer with a health_check; this one will be checked too.")
		} else if s.inter != checked.inter || s.rise != checked.rise || s.fall != checked.fall {
			c.f.r.NotImported(c.f.file, s.l.Num, "per-server inter/rise/fall", importer.NoEquivalent, "nbac's health_check has one interval, rise and fall for every server; the first checked server's are used.")
		}
	}
	if h.Timeout == "" {
		// Without timeout check, HAProxy waits up to inter for a check's
		// answer.
		h.Timeout = h.Interval
	}
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

// httpchk reads `option httpchk [METHOD] URI [VERSION]`.
func (c *conv) httpchk(l *haproxycfg.Line, args []string) {
	h := c.healthCheck()
	h.Type = "http"
	c.f.use(l)
	switch len(args) {
	case 0:
		h.Path = "/" // HAProxy's default: OPTIONS /
		h.Method = "OPTIONS"
	case 1:
		h.Path, h.Method = args[0], "OPTIONS"
	default:
		h.Method, h.Path = args[0], args[1]
		if len(args) > 2 && args[2] != "HTTP/1.0" && args[2] != "HTTP/1.1" {
			c.f.r.NotImported(c.f.file, l.Num, "option httpchk version "+args[2], importer.NoEquivalent, "nbac's check sends HTTP/1.0, or HTTP/1.1 with health_check.host; extra request text is dropped.")
		}
	}
	if h.Method == "GET" {
		h.Method = "" // nbac's default
	}
}

// httpCheck reads `http-check send ...` and `http-check expect status N`.
func (c *conv) httpCheck(l *haproxycfg.Line, w []string) {
	h := c.healthCheck()
	switch w[0] {
	case "send":
		for i := 1; i+1 < len(w); i += 2 {
			switch w[i] {
			case "meth":
				h.Method = w[i+1]
				if h.Method == "GET" {
					h.Method = ""
				}
			case "uri":
				h.Path = w[i+1]
			case "ver":
			case "hdr":
				if i+2 < len(w) && strings.EqualFold(w[i+1], "host") {
					h.Host = w[i+2]
					i++
				} else {
					c.f.r.NotImported(c.f.file, l.Num, "http-check send hdr "+w[i+1], importer.NoEquivalent, "nbac's check sends only a Host header.")
					i++
				}
			default:
				c.f.r.NotImported(c.f.file, l.Num, "http-check send "+w[i], importer.NoEquivalent, "nbac's check sends a method, a path and a Host.")
			}
		}
		c.f.use(l)
	case "expect":
		if len(w) == 3 && w[1] == "status" {
			if n, err := strconv.Atoi(w[2]); err == nil && n >= 100 && n <= 599 {
				h.ExpectStatus = n
				c.f.use(l)
				return
			}
		}
		c.f.report(l, "http-check expect", importer.OutOfRange, "nbac's check expects one status code (expect_status) or any 2xx/3xx.")
	}
}

// affinity reads cookie insertion and stick-on-source.
func (c *conv) affinity(servers []*server, cookie, stickOn, stickTable *haproxycfg.Line) {
	if cookie != nil {
		w := cookie.Words()
		mode := map[string]bool{}
		for _, o := range w[2:] {
			mode[o] = true
		}
		if !mode["insert"] || mode["rewrite"] || mode["prefix"] {
			c.f.report(cookie, "cookie", importer.OutOfRange, "nbac inserts its affinity cookie (cookie NAME insert indirect nocache httponly); rewrite and prefix modes are not imported.")
		} else {
			c.lb.Sticky = &lbhcl.Sticky{Cookie: w[1]}
			c.f.use(cookie)
			for _, o := range w[2:] {
				switch o {
				case "insert", "indirect", "nocache", "httponly", "secure":
				default:
					c.f.r.NotImported(c.f.file, cookie.Num, "cookie option "+o, importer.NoEquivalent, "nbac writes insert indirect nocache httponly (+ secure with tls).")
				}
			}
			for _, s := range servers {
				if s.cookie != "" && s.cookie != s.be.Name {
					c.f.r.NotImported(c.f.file, s.l.Num, "server cookie "+s.cookie, importer.EmittedByNbac, fmt.Sprintf("nbac uses the backend label (%s) as the cookie value; clients pinned by the old value are pinned afresh once.", s.be.Name))
				}
			}
		}
	}
	if stickOn != nil && stickTable != nil {
		if c.lb.Sticky != nil {
			c.f.report(stickOn, "stick on src", importer.OutOfRange, "nbac's affinity is a cookie or the client address, not both; the cookie is kept.")
			return
		}
		c.lb.Sticky = &lbhcl.Sticky{ClientIP: true}
		c.f.use(stickOn)
		c.f.use(stickTable)
	}
}
