package lbctl

import (
	"context"
	"encoding/csv"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/agext/levenshtein"
)

// AdminState is what an operator set: the state `set server ... state` takes.
type AdminState string

const (
	Ready AdminState = "ready" // takes traffic
	Drain AdminState = "drain" // keeps existing sessions, gets no new ones (sticky ones excepted)
	Maint AdminState = "maint" // takes no traffic at all
)

// ParseAdminState accepts ready, drain and maint (and "enable"/"disable"
// as the CLI words for ready/maint).
func ParseAdminState(s string) (AdminState, error) {
	switch s {
	case "ready", "enable":
		return Ready, nil
	case "drain":
		return Drain, nil
	case "maint", "disable":
		return Maint, nil
	}
	return "", fmt.Errorf("%w: state %q: want ready, drain or maint", ErrInvalidArgument, s)
}

// OpState is what HAProxy's checks concluded.
type OpState string

const (
	Stopped  OpState = "stopped"
	Starting OpState = "starting"
	Running  OpState = "running"
	Stopping OpState = "stopping"
)

// Admin state bits of srv_admin_state (HAProxy's SRV_ADMF_*).
const (
	admFMaint = 0x01 // forced by the CLI / stats page
	admIMaint = 0x02 // inherited from a tracked server
	admCMaint = 0x04 // `disabled` in the config (and new dynamic servers)
	admFDrain = 0x08
	admIDrain = 0x10
	admRMaint = 0x20 // DNS resolution failed
	admHMaint = 0x40 // set by `set server fqdn`
	admMaint  = admFMaint | admIMaint | admCMaint | admRMaint | admHMaint
	admDrain  = admFDrain | admIDrain
)

// Server is one live server of a backend, from `show servers state` merged
// with `show stat`.
type Server struct {
	Backend string
	Name    string
	ID      int
	Addr    string // resolved IP, "" when none
	FQDN    string // host name when the server was given one
	Port    int
	Admin   AdminState
	// AdminFlags are the raw srv_admin_state bits (why a server is in maint).
	AdminFlags int
	Op         OpState
	Weight     int // current (user) weight
	// InitialWeight is the weight from the config (or `add server`).
	InitialWeight int
	Backup        bool
	// Status is show stat's status: UP, DOWN, MAINT, DRAIN, "no check", ...
	Status string
	// CheckStatus is the last health check's result code (L7OK, L4CON, ...);
	// "" when the server has no check.
	CheckStatus string
	Sessions    int // current sessions (scur)
	Queued      int // queued requests (qcur)
	MaxConn     int // slim: the server's maxconn, 0 = none
}

// Forced reports whether an operator or the config put the server in
// drain or maint (bits `set server ... state ready` clears), as opposed to
// HAProxy itself: a failed DNS resolution or a tracked server's state.
func (s Server) Forced() bool { return s.AdminFlags&(admFMaint|admFDrain|admCMaint) != 0 }

// AdminReason says why a server is not ready: "operator" (the runtime API
// or stats page), "config" (disabled in the config, or a new dynamic
// server), "tracked" (inherited), "dns" (resolution failed) or "fqdn"
// (address being changed); "" when ready. Several may apply; the first
// in this order is named.
func (s Server) AdminReason() string {
	f := s.AdminFlags
	switch {
	case f&(admFMaint|admFDrain) != 0:
		return "operator"
	case f&admCMaint != 0:
		return "config"
	case f&(admIMaint|admIDrain) != 0:
		return "tracked"
	case f&admRMaint != 0:
		return "dns"
	case f&admHMaint != 0:
		return "fqdn"
	}
	return ""
}

// Host is the address the server was configured with: the FQDN if any,
// else the IP.
func (s Server) Host() string {
	if s.FQDN != "" {
		return s.FQDN
	}
	return s.Addr
}

// Backends lists the backend names HAProxy knows, in its order.
func (c *Client) Backends(ctx context.Context) ([]string, error) {
	ans, err := c.run(ctx, "show", "backend")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range strings.Split(ans, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, l)
	}
	return out, nil
}

// Servers returns the live servers of backend in HAProxy's order (server id).
func (c *Client) Servers(ctx context.Context, backend string) ([]Server, error) {
	if err := checkName("backend", backend); err != nil {
		return nil, err
	}
	state, err := c.run(ctx, "show", "servers", "state", backend)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(state, "Can't find backend") {
		return nil, c.unknownBackend(ctx, backend)
	}
	servers, err := parseServersState(state)
	if err != nil {
		return nil, fmt.Errorf("backend %s: %w", backend, err)
	}
	// Every proxy (-1), servers only (type 4), all of them (-1): a proxy
	// name would be ambiguous when a frontend shares the backend's name.
	stat, err := c.run(ctx, "show", "stat", "-1", "4", "-1")
	if err != nil {
		return nil, err
	}
	rows, err := parseStat(stat)
	if err != nil {
		return nil, fmt.Errorf("backend %s: %w", backend, err)
	}
	for i := range servers {
		s := &servers[i]
		r, ok := rows[backend+"/"+s.Name]
		if !ok {
			continue // added between the two commands; state alone will do
		}
		s.Status = r["status"]
		s.CheckStatus = r["check_status"]
		s.Backup = r["bck"] == "1"
		s.Sessions, _ = strconv.Atoi(r["scur"])
		s.Queued, _ = strconv.Atoi(r["qcur"])
		s.MaxConn, _ = strconv.Atoi(r["slim"])
	}
	return servers, nil
}

// Server returns one live server, or an error naming the closest match.
func (c *Client) Server(ctx context.Context, backend, server string) (Server, error) {
	if err := checkName("server", server); err != nil {
		return Server{}, err
	}
	all, err := c.Servers(ctx, backend)
	if err != nil {
		return Server{}, err
	}
	names := make([]string, 0, len(all))
	for _, s := range all {
		if s.Name == server {
			return s, nil
		}
		names = append(names, s.Name)
	}
	return Server{}, unknownServer(backend, server, names)
}

func (c *Client) unknownBackend(ctx context.Context, backend string) error {
	names, err := c.Backends(ctx)
	if err != nil {
		return fmt.Errorf("%w %q on %s", ErrUnknownBackend, backend, c.socket)
	}
	return fmt.Errorf("%w %q on %s%s (backends: %s)", ErrUnknownBackend, backend, c.socket, didYouMean(backend, names), strings.Join(names, ", "))
}

func unknownServer(backend, server string, names []string) error {
	list := "none"
	if len(names) > 0 {
		list = strings.Join(names, ", ")
	}
	return fmt.Errorf("%w %q in backend %s%s (servers: %s)", ErrUnknownServer, server, backend, didYouMean(server, names), list)
}

// didYouMean suggests the closest name within edit distance 2.
func didYouMean(given string, names []string) string {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	best, bestD := "", 3
	for _, n := range sorted {
		if d := levenshtein.Distance(given, n, nil); d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(": did you mean %q?", best)
}

// parseServersState reads `show servers state` (format version 1): a version
// line, a "# name name ..." header, then one space-separated row per server.
func parseServersState(text string) ([]Server, error) {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "1" {
		return nil, fmt.Errorf("%w: unexpected `show servers state` answer: %q", ErrHAProxy, clip(text))
	}
	var header []string
	var out []Server
	for _, l := range lines[1:] {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "#") {
			header = strings.Fields(strings.TrimPrefix(l, "#"))
			continue
		}
		if header == nil {
			return nil, fmt.Errorf("%w: `show servers state` row before its header", ErrHAProxy)
		}
		f := strings.Fields(l)
		if len(f) < len(header) {
			return nil, fmt.Errorf("%w: short `show servers state` row %q", ErrHAProxy, l)
		}
		col := func(name string) string {
			for i, h := range header {
				if h == name {
					return f[i]
				}
			}
			return ""
		}
		num := func(name string) int { n, _ := strconv.Atoi(col(name)); return n }
		s := Server{
			Backend:       col("be_name"),
			Name:          col("srv_name"),
			ID:            num("srv_id"),
			Addr:          dash(col("srv_addr")),
			FQDN:          dash(col("srv_fqdn")),
			Port:          num("srv_port"),
			AdminFlags:    num("srv_admin_state"),
			Weight:        num("srv_uweight"),
			InitialWeight: num("srv_iweight"),
		}
		switch {
		case s.AdminFlags&admMaint != 0:
			s.Admin = Maint
		case s.AdminFlags&admDrain != 0:
			s.Admin = Drain
		default:
			s.Admin = Ready
		}
		s.Op = [...]OpState{Stopped, Starting, Running, Stopping}[min(max(num("srv_op_state"), 0), 3)]
		out = append(out, s)
	}
	return out, nil
}

// parseStat reads `show stat` CSV into rows keyed by "proxy/server" (the
// server being BACKEND or FRONTEND for a proxy's own row), each a map from
// column name to value.
func parseStat(text string) (map[string]map[string]string, error) {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "# ") {
		return nil, fmt.Errorf("%w: unexpected `show stat` answer: %q", ErrHAProxy, clip(text))
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "# ")))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%w: reading `show stat`: %v", ErrHAProxy, err)
	}
	header := recs[0]
	out := map[string]map[string]string{}
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, v := range rec {
			if i < len(header) {
				row[header[i]] = v
			}
		}
		out[row["pxname"]+"/"+row["svname"]] = row
	}
	return out, nil
}

// backendAlgo reads a backend's `balance` algorithm from show stat.
func (c *Client) backendAlgo(ctx context.Context, backend string) string {
	stat, err := c.run(ctx, "show", "stat", "-1", "2", "-1")
	if err != nil {
		return ""
	}
	rows, err := parseStat(stat)
	if err != nil {
		return ""
	}
	return rows[backend+"/BACKEND"]["algo"]
}

func dash(s string) string {
	if s == "-" {
		return ""
	}
	return s
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// Info returns `show info` (version, pid, uptime, ...).
func (c *Client) Info(ctx context.Context) (string, error) {
	return c.run(ctx, "show", "info")
}
