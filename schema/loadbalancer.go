package schema

// LoadBalancer is a `load_balancer "name" {}` block, emitted as an HAProxy
// and/or Nginx configuration per Targets.
type LoadBalancer struct {
	Name    string   `json:"name"`
	Targets []string `json:"targets"` // sorted subset of: haproxy, nginx
	Mode    string   `json:"mode"`    // http (default) | tcp
	Listen  int      `json:"listen"`  // front-end port
	// ListenAddresses are the IP addresses the front end (and the TLS
	// redirect listener) bind, canonical (netip); empty = every IPv4
	// address (0.0.0.0), the behaviour before the attribute existed.
	// "::" binds every IPv6 address only (v6only), so dual stack is
	// ["0.0.0.0", "::"].
	ListenAddresses []string `json:"listen_addresses,omitempty"`
	Algorithm       string   `json:"algorithm"` // round_robin | least_connections | ip_hash | weighted_round_robin
	// ServerNames are the host names the front end answers for; when set,
	// a request for any other Host is refused with 421 (empty = any Host).
	ServerNames []string `json:"server_names,omitempty"`
	// MaxConn is the global connection limit; 0 = the target's default.
	MaxConn     int          `json:"max_conn,omitempty"`
	HealthCheck *HealthCheck `json:"health_check,omitempty"`
	// Backends are the static servers, in declaration order (server order
	// matters to some algorithms, so it is kept, not sorted).
	Backends []Backend `json:"backends,omitempty"`
	// BackendsFrom names a service whose Kubernetes Service DNS name
	// (<name>.<namespace>.svc.cluster.local:<port>) is the single backend.
	BackendsFrom *BackendsFrom `json:"backends_from,omitempty"`
	TLS          *TLS          `json:"tls,omitempty"`
	Sticky       *Sticky       `json:"sticky_sessions,omitempty"`
	RateLimit    *RateLimit    `json:"rate_limit,omitempty"`
	Timeouts     Timeouts      `json:"timeouts"`
	// ForwardedFor adds X-Forwarded-For/Proto headers (HTTP mode; default true).
	ForwardedFor bool `json:"forwarded_for"`
	// HealthPath is a path the load balancer itself answers 200 on
	// (monitor-uri / location = path); empty = none.
	HealthPath string    `json:"health_path,omitempty"`
	Stats      *Stats    `json:"stats,omitempty"`
	Alerts     *LBAlerts `json:"alerts,omitempty"`
	Src        Source    `json:"-"`
}

// HealthCheck is the `health_check {}` block: an active check in HAProxy,
// approximated passively in Nginx open source.
type HealthCheck struct {
	Type         string   `json:"type"`             // http | https | tcp
	Path         string   `json:"path,omitempty"`   // http(s); may carry a ?query
	Method       string   `json:"method,omitempty"` // GET (default) | HEAD | OPTIONS
	Host         string   `json:"host,omitempty"`   // Host header for http(s) checks
	ExpectStatus int      `json:"expect_status,omitempty"`
	Interval     Duration `json:"interval"`
	Timeout      Duration `json:"timeout"`
	Rise         int      `json:"rise"`
	Fall         int      `json:"fall"`
	Src          Source   `json:"-"`
}

// Backend is a `backend "name" {}` block: one server.
type Backend struct {
	Name    string `json:"name"`
	Host    string `json:"host"` // IP or DNS name (from `address = "host:port"`)
	Port    int    `json:"port"`
	Weight  int    `json:"weight"` // default 100 (HAProxy 0..256; Nginx >= 1)
	Backup  bool   `json:"backup,omitempty"`
	MaxConn int    `json:"max_conn,omitempty"` // per server; 0 = unlimited
	Src     Source `json:"-"`
}

// BackendsFrom is `backends_from = service.NAME`: the service's cluster DNS.
type BackendsFrom struct {
	Service   string `json:"service"`
	Namespace string `json:"namespace"`
	Port      int    `json:"port"`
}

// TLS is the `tls {}` block: termination at the load balancer.
type TLS struct {
	Certificate  string `json:"certificate"`   // PEM path (HAProxy: cert+key bundle)
	Key          string `json:"key,omitempty"` // Nginx key path; default = Certificate
	RedirectHTTP bool   `json:"redirect_http"`
	HTTPPort     int    `json:"http_port"` // plain-HTTP listener for the redirect; default 80
	HTTP2        bool   `json:"http2"`
	HSTS         *HSTS  `json:"hsts,omitempty"`
	Src          Source `json:"-"`
}

// HSTS is the `hsts {}` block inside `tls`.
type HSTS struct {
	MaxAge            Duration `json:"max_age"`
	IncludeSubdomains bool     `json:"include_subdomains"`
	Preload           bool     `json:"preload"`
}

// Sticky is the `sticky_sessions {}` block: cookie or client-IP affinity.
type Sticky struct {
	Cookie   string `json:"cookie,omitempty"` // cookie name; empty = client IP affinity
	ClientIP bool   `json:"client_ip,omitempty"`
	Src      Source `json:"-"`
}

// RateLimit is the `rate_limit {}` block: per-client-IP limit, 429 beyond.
type RateLimit struct {
	RequestsPerSecond int    `json:"requests_per_second"`
	Burst             int    `json:"burst"`
	Src               Source `json:"-"`
}

// Timeouts is the `timeouts {}` block; zero fields take the documented
// defaults at lowering, so emitters never see a zero timeout.
type Timeouts struct {
	Connect     Duration `json:"connect"`
	Client      Duration `json:"client"`
	Server      Duration `json:"server"`
	HTTPRequest Duration `json:"http_request"`
	KeepAlive   Duration `json:"keep_alive"`
	Queue       Duration `json:"queue"`
	Src         Source   `json:"-"`
}

// Stats is the `stats {}` block: a stats/metrics endpoint and, for HAProxy,
// the admin runtime socket that `nbac lb` drives.
type Stats struct {
	Listen int    `json:"listen"` // port of the stats listener
	Path   string `json:"path"`   // default /stats
	Socket string `json:"socket,omitempty"`
	// StateFile is where HAProxy saves server state across reloads.
	StateFile string `json:"state_file,omitempty"`
	Src       Source `json:"-"`
}
