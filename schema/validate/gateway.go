package validate

import (
	"fmt"
	"maps"
	"net"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/nbac/nbac/schema"
)

// Gateway API limits (sigs.k8s.io/gateway-api v1.6.3, standard channel):
// the CRDs' maxItems and maxLength, and what their patterns and CEL rules
// accept. The conformance module checks the invariant: what passes here
// passes the CRD schemas and CEL rules.
const (
	maxRouteHostnames  = 16
	maxHeaderModifiers = 16
	maxBackendRefs     = 16
	maxListeners       = 64
	maxHeaderName      = 256
	maxHeaderValue     = 4096
	maxPathLength      = 1024
	maxRouteTimeout    = 24 * time.Hour
)

var (
	// headerNameRE is the CRDs' HTTPHeaderName pattern (an RFC 7230 token).
	headerNameRE = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+\\-.^_`|~]+$")
	// pathCharsRE is the HTTPRoute CEL rule for Exact and PathPrefix values.
	pathCharsRE = regexp.MustCompile(`^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$`)
)

// gateways checks the gateway blocks and every service's route.
func gateways(m *schema.Model) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for i := range m.Gateways {
		diags = append(diags, gateway(m, &m.Gateways[i])...)
	}
	for i := range m.Services {
		if r := m.Services[i].Route; r != nil {
			diags = append(diags, route(m, &m.Services[i], r)...)
		}
	}
	return diags
}

func gateway(m *schema.Model, g *schema.Gateway) hcl.Diagnostics {
	var d hcl.Diagnostics
	what := schema.Describe("gateway", g.Name)
	fail := func(src schema.Source, attr, summary, detail string) {
		d = append(d, errorAt(src, attr, what+": "+summary, detail))
	}
	if errs := validation.IsDNS1123Label(g.Name); len(errs) > 0 {
		fail(g.Src, "", "invalid name", "A gateway's name names its Gateway object and file: "+strings.Join(errs, "; "))
	}
	if errs := validation.IsDNS1123Label(g.Namespace); len(errs) > 0 {
		fail(g.Src, "namespace", "invalid namespace", strings.Join(errs, "; "))
	}
	if g.Class == "" {
		fail(g.Src, "class", "class is required", `class names the GatewayClass of the controller that runs the gateway, e.g. "envoy-gateway", "istio" or "cilium".`)
	} else if errs := validation.IsDNS1123Subdomain(g.Class); len(errs) > 0 {
		fail(g.Src, "class", "invalid class", strings.Join(errs, "; "))
	}
	if g.Issuer != "" {
		if errs := validation.IsDNS1123Subdomain(g.Issuer); len(errs) > 0 {
			fail(g.Src, "issuer", "invalid issuer", "issuer names a cert-manager ClusterIssuer: "+strings.Join(errs, "; "))
		}
	}
	all := append(append([]schema.Listener{}, g.Listeners...), schema.RouteListeners(m, g)...)
	if len(all) > maxListeners {
		fail(g.Src, "", "too many listeners", fmt.Sprintf("A Gateway holds at most %d listeners; this one would have %d (declared ones plus one per TLS host of its routes).", maxListeners, len(all)))
	}
	names := map[string]bool{}
	combos := map[string]bool{}
	for i := range all {
		ln := &all[i]
		lw := fmt.Sprintf("listener %q", ln.Name)
		if errs := validation.IsDNS1123Subdomain(ln.Name); len(errs) > 0 {
			fail(ln.Src, "", "invalid "+lw, "A listener name is a DNS-1123 subdomain: "+strings.Join(errs, "; "))
		}
		if names[ln.Name] {
			fail(ln.Src, "", "duplicate "+lw, "Listener names must be unique within a Gateway; the name may also come from a route's TLS host (https-HOST).")
		}
		names[ln.Name] = true
		combo := fmt.Sprintf("%s/%d/%s", ln.Protocol, ln.Port, ln.Hostname)
		if combos[combo] {
			fail(ln.Src, "hostname", lw+" repeats another listener", fmt.Sprintf("Two listeners of a Gateway may not share protocol %s, port %d and hostname %q.", ln.Protocol, ln.Port, ln.Hostname))
		}
		combos[combo] = true
		if ln.Hostname != "" {
			if msg := hostnameProblem(ln.Hostname); msg != "" {
				fail(ln.Src, "hostname", fmt.Sprintf("invalid hostname %q", ln.Hostname), msg)
			}
		}
		switch {
		case ln.Protocol == "HTTPS" && ln.TLSSecret == "":
			fail(ln.Src, "tls_secret", lw+" needs tls_secret", "An HTTPS listener terminates TLS with a certificate Secret; name it with tls_secret.")
		case ln.Protocol != "HTTPS" && ln.TLSSecret != "":
			fail(ln.Src, "tls_secret", lw+" is not HTTPS", "tls_secret applies to HTTPS listeners only; set protocol = \"HTTPS\" or remove it.")
		case ln.TLSSecret != "":
			if errs := validation.IsDNS1123Subdomain(ln.TLSSecret); len(errs) > 0 {
				fail(ln.Src, "tls_secret", "invalid tls_secret", strings.Join(errs, "; "))
			}
		}
	}
	return d
}

func route(m *schema.Model, svc *schema.Service, r *schema.Route) hcl.Diagnostics {
	var d hcl.Diagnostics
	what := fmt.Sprintf("route of service %q", svc.Name)
	fail := func(attr, summary, detail string) {
		d = append(d, errorAt(r.Src, attr, what+": "+summary, detail))
	}
	var gw *schema.Gateway
	if r.Declared {
		gw = findGateway(m, r.Gateway)
		if gw == nil {
			fail("gateway", "no such gateway", fmt.Sprintf("No gateway %q is declared.", r.Gateway))
		} else if gw.Namespace != m.Project.Namespace && gw.AllowedRoutes == "Same" {
			fail("gateway", "the gateway admits no route from this namespace", fmt.Sprintf("gateway.%s lives in namespace %q and admits routes from its own namespace only (allowed_routes = \"Same\"); this route is in %q.", gw.Name, gw.Namespace, m.Project.Namespace))
		}
	} else {
		if errs := validation.IsDNS1123Subdomain(r.Gateway); len(errs) > 0 {
			fail("gateway", fmt.Sprintf("invalid gateway name %q", r.Gateway), strings.Join(errs, "; "))
		}
		if r.GatewayNamespace != "" {
			if errs := validation.IsDNS1123Label(r.GatewayNamespace); len(errs) > 0 {
				fail("gateway_namespace", "invalid gateway_namespace", strings.Join(errs, "; "))
			}
		}
		if r.TLS {
			fail("tls", "TLS needs a declared gateway", "TLS terminates at a Gateway listener; an existing Gateway's listeners are configured where it is defined. Declare the gateway here (gateway \"NAME\" {}) or remove tls.")
		}
	}
	hostAttr := "hosts"
	if !r.Src.Has("hosts") {
		hostAttr = "host"
	}
	if len(r.Hosts) > maxRouteHostnames {
		fail(hostAttr, "too many hosts", fmt.Sprintf("A route matches at most %d hostnames; got %d.", maxRouteHostnames, len(r.Hosts)))
	}
	for _, h := range r.Hosts {
		if msg := hostnameProblem(h); msg != "" {
			fail(hostAttr, fmt.Sprintf("invalid host %q", h), msg)
		}
	}
	if r.TLS {
		if len(r.Hosts) == 0 {
			fail("tls", "TLS needs a host", "A TLS listener is added per host of the route; set host (or hosts).")
		}
		if errs := validation.IsDNS1123Subdomain(r.TLSSecret); len(errs) > 0 {
			fail("tls_secret", "invalid tls_secret", strings.Join(errs, "; "))
		}
	} else if r.TLSSecret != "" {
		fail("tls_secret", "tls_secret without tls", "Set tls = true for the certificate to be used, or remove tls_secret.")
	}
	if r.GRPC {
		for _, a := range []struct {
			name string
			set  bool
		}{{"path", r.Path != "/"}, {"path_type", r.PathType == "exact"}, {"timeout", r.Timeout > 0}, {"backend_timeout", r.BackendTimeout > 0}} {
			if a.set {
				fail(a.name, a.name+" does not apply to a gRPC route", "A GRPCRoute matches gRPC services and methods, not paths, and has no timeouts in the standard channel; remove "+a.name+" or grpc.")
			}
		}
	} else if msg := pathProblem(r.Path); msg != "" {
		fail("path", fmt.Sprintf("invalid path %q", r.Path), msg)
	}
	for _, t := range []struct {
		attr string
		v    schema.Duration
	}{{"timeout", r.Timeout}, {"backend_timeout", r.BackendTimeout}} {
		if t.v.D()%time.Millisecond != 0 || t.v.D() > maxRouteTimeout {
			fail(t.attr, fmt.Sprintf("%s %s is not supported", t.attr, t.v), fmt.Sprintf("Gateway API timeouts are whole milliseconds up to %s.", maxRouteTimeout))
		}
	}
	if r.Timeout > 0 && r.BackendTimeout > r.Timeout {
		fail("backend_timeout", "backend_timeout exceeds timeout", fmt.Sprintf("One try at a backend (%s) cannot take longer than the whole request (%s).", r.BackendTimeout, r.Timeout))
	}
	d = append(d, headerMods(r, what, "request_headers", r.RequestHeaders, "remove_request_headers", r.RemoveRequestHeaders)...)
	d = append(d, headerMods(r, what, "response_headers", r.ResponseHeaders, "remove_response_headers", r.RemoveResponseHeaders)...)
	if len(r.Split) > 0 {
		total := 0
		for _, b := range r.Split {
			total += b.Weight
			if findService(m, b.Service) == nil {
				fail("split", fmt.Sprintf("no service %q", b.Service), "split weighs services of this estate; declare it or fix the name.")
			}
		}
		if len(r.Split) > maxBackendRefs {
			fail("split", "too many backends", fmt.Sprintf("A route rule has at most %d backends; got %d.", maxBackendRefs, len(r.Split)))
		}
		if total == 0 {
			fail("split", "every weight is zero", "A route whose backends all weigh 0 answers every request with an error; give one of them a weight.")
		}
	}
	return d
}

// headerMods checks a set map and a remove list: RFC 7230 token names
// (case-insensitively unique), values without control characters.
func headerMods(r *schema.Route, what, setAttr string, set map[string]string, removeAttr string, remove []string) hcl.Diagnostics {
	var d hcl.Diagnostics
	fail := func(attr, summary, detail string) {
		d = append(d, errorAt(r.Src, attr, what+": "+summary, detail))
	}
	seen := map[string]string{}
	check := func(attr, name string) {
		if msg := headerNameProblem(name); msg != "" {
			fail(attr, fmt.Sprintf("invalid header name %q", name), msg)
		}
		if prev, dup := seen[strings.ToLower(name)]; dup {
			fail(attr, fmt.Sprintf("header %q repeats %q", name, prev), "Header names are case-insensitive; set or remove each header once.")
		}
		seen[strings.ToLower(name)] = name
	}
	for _, name := range slices.Sorted(maps.Keys(set)) {
		check(setAttr, name)
		v := set[name]
		if v == "" || len(v) > maxHeaderValue {
			fail(setAttr, fmt.Sprintf("invalid value of header %q", name), fmt.Sprintf("A header value holds 1 to %d bytes; got %d.", maxHeaderValue, len(v)))
		}
		if i := strings.IndexFunc(v, func(c rune) bool { return (c < 0x20 && c != '\t') || c == 0x7f }); i >= 0 {
			fail(setAttr, fmt.Sprintf("invalid value of header %q", name), fmt.Sprintf("Byte %d is a control character (%q); header values may not hold line breaks or control characters.", i, v[i]))
		}
	}
	for _, name := range remove {
		check(removeAttr, name)
	}
	if len(set) > maxHeaderModifiers {
		fail(setAttr, "too many headers", fmt.Sprintf("At most %d headers; got %d.", maxHeaderModifiers, len(set)))
	}
	if len(remove) > maxHeaderModifiers {
		fail(removeAttr, "too many headers", fmt.Sprintf("At most %d headers; got %d.", maxHeaderModifiers, len(remove)))
	}
	return d
}

// hostnameProblem applies the Gateway API Hostname rules: a lower-case
// DNS-1123 subdomain, optionally with one leading "*." label, not an IP.
func hostnameProblem(h string) string {
	if net.ParseIP(h) != nil {
		return "A Gateway API hostname is a DNS name, not an IP address."
	}
	var errs []string
	if strings.HasPrefix(h, "*.") {
		errs = validation.IsWildcardDNS1123Subdomain(h)
	} else {
		errs = validation.IsDNS1123Subdomain(h)
	}
	if len(errs) > 0 {
		return "A hostname is lower-case letters, digits, '-' and '.', optionally starting with \"*.\": " + strings.Join(errs, "; ")
	}
	return ""
}

// pathProblem applies the HTTPRoute path rules for Exact and PathPrefix.
func pathProblem(p string) string {
	switch {
	case !strings.HasPrefix(p, "/"):
		return "A path starts with \"/\"."
	case len(p) > maxPathLength:
		return fmt.Sprintf("A path holds at most %d bytes; got %d.", maxPathLength, len(p))
	case !pathCharsRE.MatchString(p):
		return "A path holds only URL path characters (letters, digits, -._~!$&'()*+,;=:@/) and %XX escapes."
	}
	for _, bad := range []string{"//", "/./", "/../", "%2f", "%2F", "#"} {
		if strings.Contains(p, bad) {
			return fmt.Sprintf("A path may not contain %q: gateways normalise it differently, so it would match other paths than it says.", bad)
		}
	}
	if strings.HasSuffix(p, "/..") || strings.HasSuffix(p, "/.") {
		return "A path may not end with \"/.\" or \"/..\"."
	}
	return ""
}

func headerNameProblem(n string) string {
	if len(n) > maxHeaderName {
		return fmt.Sprintf("A header name holds at most %d bytes; got %d.", maxHeaderName, len(n))
	}
	if !headerNameRE.MatchString(n) {
		return "A header name is an HTTP token: letters, digits and !#$%&'*+-.^_`|~ only (no spaces, colons or line breaks)."
	}
	return ""
}

func findGateway(m *schema.Model, name string) *schema.Gateway {
	for i := range m.Gateways {
		if m.Gateways[i].Name == name {
			return &m.Gateways[i]
		}
	}
	return nil
}

func findService(m *schema.Model, name string) *schema.Service {
	for i := range m.Services {
		if m.Services[i].Name == name {
			return &m.Services[i]
		}
	}
	return nil
}
