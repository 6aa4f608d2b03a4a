package schema

import "strings"

// Gateway is a `gateway "name" {}` block: a gateway.networking.k8s.io/v1
// Gateway that routes of services attach to.
type Gateway struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"` // default: the project's namespace
	Class     string `json:"class"`     // gatewayClassName
	// Issuer is a cert-manager ClusterIssuer name, written as the
	// cert-manager.io/cluster-issuer annotation; empty writes none.
	Issuer string `json:"issuer,omitempty"`
	// AllowedRoutes is "Same" or "All"; empty lets nbac choose Same when
	// the gateway shares the project's namespace and a selector of the
	// project's namespace otherwise.
	AllowedRoutes string     `json:"allowed_routes,omitempty"`
	Listeners     []Listener `json:"listeners"` // sorted by Name; defaulted to one HTTP listener on port 80
	Src           Source     `json:"-"`
}

// Listener is a `listener "name" {}` block of a gateway.
type Listener struct {
	Name     string `json:"name"`
	Protocol string `json:"protocol"` // HTTP | HTTPS
	Port     int    `json:"port"`
	Hostname string `json:"hostname,omitempty"`
	// TLSSecret names the certificate Secret (in the gateway's namespace)
	// an HTTPS listener terminates TLS with.
	TLSSecret string `json:"tls_secret,omitempty"`
	// TLSSecretNamespace is set on the listeners RouteListeners derives
	// when the Secret is in another namespace than the gateway.
	TLSSecretNamespace string `json:"tls_secret_namespace,omitempty"`
	Src                Source `json:"-"`
}

// Route is the `route {}` block of a service: an HTTPRoute (or a
// GRPCRoute) attaching the service to a Gateway.
type Route struct {
	// Gateway names the parent: a gateway block of the estate when
	// Declared, else an existing Gateway in GatewayNamespace (empty: the
	// project's namespace).
	Gateway          string   `json:"gateway"`
	GatewayNamespace string   `json:"gateway_namespace,omitempty"`
	Declared         bool     `json:"declared"`
	Hosts            []string `json:"hosts,omitempty"` // sorted, unique
	Path             string   `json:"path"`            // default "/"
	PathType         string   `json:"path_type"`       // prefix | exact
	GRPC             bool     `json:"grpc,omitempty"`  // a GRPCRoute instead of an HTTPRoute
	// TLS adds an HTTPS listener per host to the declared gateway, with
	// the certificate in TLSSecret (default "<service>-tls") in the
	// service's namespace, as an Ingress's was.
	TLS            bool     `json:"tls,omitempty"`
	TLSSecret      string   `json:"tls_secret,omitempty"`
	Timeout        Duration `json:"timeout,omitempty"`         // whole request; 0 = the implementation's
	BackendTimeout Duration `json:"backend_timeout,omitempty"` // one try at a backend; 0 = unset
	// Header modifiers: set (replace or add) and remove, by header name.
	RequestHeaders        map[string]string `json:"request_headers,omitempty"`
	RemoveRequestHeaders  []string          `json:"remove_request_headers,omitempty"`
	ResponseHeaders       map[string]string `json:"response_headers,omitempty"`
	RemoveResponseHeaders []string          `json:"remove_response_headers,omitempty"`
	// Split weighs backends (services of the estate) against each other;
	// empty sends everything to the service itself.
	Split []WeightedBackend `json:"split,omitempty"` // sorted by Service
	// Mirror copies MirrorPercent of the requests to another service and
	// drops its answers.
	Mirror        string `json:"mirror,omitempty"`
	MirrorPercent int    `json:"mirror_percent,omitempty"`
	Src           Source `json:"-"`
}

// WeightedBackend is one entry of a route's split.
type WeightedBackend struct {
	Service string `json:"service"`
	Weight  int    `json:"weight"`
}

// RouteListeners returns the HTTPS listeners that routes with tls = true
// add to gateway g: one per host on port 443, named "https-HOST" ("*."
// written "wildcard."), with the route's certificate Secret in the
// project's namespace, unless g declares an HTTPS listener on 443 for that
// exact hostname already. The first service (by name) to ask for a host
// gives its Secret. Src is the route's, so problems point at it.
func RouteListeners(m *Model, g *Gateway) []Listener {
	have := map[string]bool{}
	for _, l := range g.Listeners {
		if l.Protocol == "HTTPS" && l.Port == 443 {
			have[l.Hostname] = true
		}
	}
	var out []Listener
	for i := range m.Services {
		r := m.Services[i].Route
		if r == nil || !r.Declared || r.Gateway != g.Name || !r.TLS {
			continue
		}
		for _, h := range r.Hosts {
			if have[h] {
				continue
			}
			have[h] = true
			l := Listener{Name: "https-" + strings.Replace(h, "*", "wildcard", 1), Protocol: "HTTPS", Port: 443, Hostname: h, TLSSecret: r.TLSSecret, Src: r.Src}
			if m.Project.Namespace != g.Namespace {
				l.TLSSecretNamespace = m.Project.Namespace
			}
			out = append(out, l)
		}
	}
	return out
}
