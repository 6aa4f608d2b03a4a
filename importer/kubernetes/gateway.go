package kubernetes

import (
	"fmt"
	"slices"
	"strings"

	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/nbac/nbac/importer"
)

// Gateway is a `gateway` block being built from a Gateway of the estate.
type Gateway struct {
	Name, Namespace, Class, Issuer, AllowedRoutes string
	Listeners                                     []Listener
	obj                                           *Object
	// derived are the listeners left out of the block, by name: those nbac
	// writes itself for a tls route (the value: its service), and those
	// nbac cannot write ("").
	derived map[string]string
}

// Listener is a gateway's listener block.
type Listener struct {
	Name, Protocol, Hostname, TLSSecret string
	Port                                int
	// secretNS is the Secret's namespace when it is not the gateway's: only
	// the listeners nbac derives for tls routes read one elsewhere.
	secretNS string
}

const (
	gatewayGroup = gatewayv1.GroupName
	maxWeight    = 1000000 // nbac's (and the CRD's) largest split weight
)

// gateway starts a gateway block from a Gateway of the estate.
func (m *mapper) gateway(o *Object, g *gatewayv1.Gateway) {
	if nodeAt(o.Node, "spec.addresses") != nil || nodeAt(o.Node, "spec.infrastructure") != nil {
		o.report(m.res, "", importer.NoEquivalent, "nbac's gateway block has no addresses or infrastructure; keep this Gateway outside nbac and attach routes to it by name.")
		return
	}
	gw := &Gateway{Name: g.Name, Namespace: g.Namespace, Class: string(g.Spec.GatewayClassName), obj: o, derived: map[string]string{}}
	if gw.Namespace == "" {
		gw.Namespace = m.e.Namespace
	}
	allowed := map[string]bool{}
	for i, l := range g.Spec.Listeners {
		p := fmt.Sprintf("spec.listeners[%d]", i)
		ln := Listener{Name: string(l.Name), Protocol: string(l.Protocol), Port: int(l.Port)}
		if l.Hostname != nil {
			ln.Hostname = string(*l.Hostname)
		}
		if ln.Port < 1 || ln.Port > 65535 {
			o.report(m.res, p+".port", importer.OutOfRange, "nbac's listener ports are 1..65535.")
			o.report(m.res, "", importer.OutOfRange, "A listener of this Gateway has a port nbac cannot write; keep the Gateway outside nbac and attach routes to it by name.")
			return
		}
		ok := ln.Protocol == "HTTP" && l.TLS == nil || ln.Protocol == "HTTPS" && l.TLS != nil
		if t := l.TLS; ok && t != nil {
			ok = (t.Mode == nil || *t.Mode == gatewayv1.TLSModeTerminate) && len(t.CertificateRefs) == 1 && len(t.Options) == 0
			if ok {
				c := t.CertificateRefs[0]
				ok = (c.Group == nil || *c.Group == "") && (c.Kind == nil || *c.Kind == "Secret")
				ln.TLSSecret = string(c.Name)
				if c.Namespace != nil && string(*c.Namespace) != gw.Namespace {
					ln.secretNS = string(*c.Namespace)
				}
			}
		}
		if !ok {
			o.report(m.res, p, importer.NoEquivalent, "nbac's listeners are HTTP, or HTTPS terminating TLS with one certificate Secret of the gateway's namespace.")
			o.report(m.res, "", importer.NoEquivalent, "A listener of this Gateway has no nbac equivalent; keep the Gateway outside nbac and attach routes to it by name.")
			return
		}
		allowed[m.allowedRoutes(o, gw, p, l.AllowedRoutes)] = true
		gw.Listeners = append(gw.Listeners, ln)
		o.use(p+".name", p+".protocol", p+".port", p+".hostname", p+".tls")
	}
	if len(allowed) > 1 || allowed["?"] {
		o.report(m.res, "spec.listeners", importer.NoEquivalent, "nbac's allowed_routes is Same or All namespaces (or the project's namespace by selector), the same for every listener.")
		o.report(m.res, "", importer.NoEquivalent, "The Gateway admits routes in a way nbac cannot write; keep it outside nbac and attach routes to it by name.")
		return
	}
	for a := range allowed {
		gw.AllowedRoutes = a
	}
	if v, ok := g.Annotations[annIssuer]; ok {
		gw.Issuer = v
		o.useSegs("metadata", "annotations", annIssuer)
	}
	o.use("spec.gatewayClassName")
	o.Target = Key{"Gateway", gw.Name}
	m.e.Gateways = append(m.e.Gateways, gw)
}

// allowedRoutes is a listener's allowed_routes: "" (nbac's default for
// the gateway's namespace), "Same", "All", or "?" when nbac has none.
func (m *mapper) allowedRoutes(o *Object, gw *Gateway, p string, a *gatewayv1.AllowedRoutes) string {
	if a == nil {
		return m.sameNamespace(gw)
	}
	if len(a.Kinds) > 0 {
		o.report(m.res, p+".allowedRoutes.kinds", importer.NoEquivalent, "nbac's listeners admit the route kinds of their protocol (HTTPRoute and GRPCRoute); the listener is imported without this restriction.")
	}
	o.use(p + ".allowedRoutes.namespaces")
	ns := a.Namespaces
	switch {
	case ns == nil || ns.From == nil || *ns.From == gatewayv1.NamespacesFromSame:
		return m.sameNamespace(gw)
	case *ns.From == gatewayv1.NamespacesFromAll:
		return "All"
	case *ns.From == gatewayv1.NamespacesFromSelector && ns.Selector != nil && len(ns.Selector.MatchExpressions) == 0 &&
		len(ns.Selector.MatchLabels) == 1 && ns.Selector.MatchLabels["kubernetes.io/metadata.name"] == m.e.Namespace && gw.Namespace != m.e.Namespace:
		return ""
	}
	return "?"
}

// sameNamespace is allowed_routes for routes of the gateway's own
// namespace: nbac's default when that is the project's.
func (m *mapper) sameNamespace(gw *Gateway) string {
	if gw.Namespace == m.e.Namespace {
		return ""
	}
	return "Same"
}

// routeTLS sets tls on a route to a declared gateway when the gateway has
// exactly the HTTPS listeners nbac derives for the route's hosts: nbac
// writes those listeners itself, so they leave the gateway block.
func (m *mapper) routeTLS(rt *Route, gw *Gateway, owner *Service) {
	if len(rt.Hosts) == 0 {
		return
	}
	secret := ""
	var names []string
	for _, h := range rt.Hosts {
		name := "https-" + strings.Replace(h, "*", "wildcard", 1)
		var found *Listener
		for i := range gw.Listeners {
			if l := &gw.Listeners[i]; l.Name == name && l.Protocol == "HTTPS" && l.Port == 443 && l.Hostname == h && l.secretNS == m.derivedSecretNS(gw) {
				found = l
			}
		}
		if found == nil || secret != "" && found.TLSSecret != secret {
			return
		}
		secret = found.TLSSecret
		names = append(names, name)
	}
	plain := 0
	for _, l := range gw.Listeners {
		if _, left := gw.derived[l.Name]; !left && !slices.Contains(names, l.Name) {
			plain++
		}
	}
	if plain == 0 {
		return // without them the gateway would get nbac's default HTTP listener instead
	}
	rt.TLS, rt.TLSSecret = true, secret
	for _, n := range names {
		gw.derived[n] = owner.Name
	}
}

// reportDerived reports the listeners nbac writes itself, once the
// routes they are derived for are known to be imported.
func (m *mapper) reportDerived() {
	for _, gw := range m.e.Gateways {
		for i, l := range gw.Listeners {
			if svc := gw.derived[l.Name]; svc != "" {
				gw.obj.report(m.res, fmt.Sprintf("spec.listeners[%d]", i), importer.EmittedByNbac,
					fmt.Sprintf("nbac writes this HTTPS listener itself for the tls route of service %s.", svc))
			}
		}
	}
}

// derivedSecretNS is the Secret namespace of the listeners nbac derives
// for gw: the project's when the gateway lives elsewhere.
func (m *mapper) derivedSecretNS(gw *Gateway) string {
	if gw.Namespace != m.e.Namespace {
		return m.e.Namespace
	}
	return ""
}

// foreignSecrets reports, once routes are matched, the listeners left
// that read their certificate in another namespace: nbac's listener
// blocks read theirs in the gateway's, so they are left out.
func (m *mapper) foreignSecrets() {
	for _, gw := range m.e.Gateways {
		for i, l := range gw.Listeners {
			if _, left := gw.derived[l.Name]; !left && l.secretNS != "" {
				gw.derived[l.Name] = ""
				gw.obj.report(m.res, fmt.Sprintf("spec.listeners[%d].tls.certificateRefs[0].namespace", i), importer.NoEquivalent,
					"nbac's listener blocks read their certificate Secret in the gateway's namespace (only the HTTPS listeners it derives for tls routes read one in the project's); this listener is left out.")
			}
		}
	}
}

// referenceGrant reports a ReferenceGrant nbac writes itself: a declared
// gateway reading the certificate Secret of a tls route across
// namespaces.
func (m *mapper) referenceGrant(o *Object, rg *gatewayv1.ReferenceGrant) {
	if len(rg.Spec.From) != 1 || len(rg.Spec.To) != 1 {
		return
	}
	from, to := rg.Spec.From[0], rg.Spec.To[0]
	if from.Kind != "Gateway" || to.Kind != "Secret" || to.Name == nil {
		return
	}
	for _, s := range m.e.Services {
		r := s.Route
		if r != nil && r.Declared && r.TLS && r.TLSSecret == string(*to.Name) && m.gatewayNamespace(r.Gateway) == string(from.Namespace) && string(from.Namespace) != m.e.Namespace {
			o.report(m.res, "", importer.EmittedByNbac, fmt.Sprintf("nbac writes this ReferenceGrant itself, for the tls route of service %s.", s.Name))
			return
		}
	}
}

func (m *mapper) gatewayNamespace(name string) string {
	for _, g := range m.e.Gateways {
		if g.Name == name {
			return g.Namespace
		}
	}
	return ""
}
