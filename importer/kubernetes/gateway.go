package kubernetes

import (
	"fmt"
	"slices"
	"strings"
	"time"

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

// Route is a service's route block.
type Route struct {
	Gateway          string // a declared gateway's name, or an existing Gateway's
	Declared         bool
	GatewayNamespace string
	Hosts            []string
	Path, PathType   string // "" and "prefix" are nbac's defaults
	GRPC, TLS        bool
	obj              *Object
	TLSSecret        string
	Timeout, Backend string
	ReqSet, RespSet  map[string]string
	ReqDel, RespDel  []string
	Split            map[string]int
	Mirror           string
	MirrorPercent    int
}

const (
	gatewayGroup = gatewayv1.GroupName
	maxWeight    = 1000000 // nbac's (and the CRD's) largest split weight
)

// routeDetail is why a route richer than nbac's is not imported.
const routeDetail = "nbac's route block is one rule: one PathPrefix or Exact path match (none for a GRPCRoute), header modifiers, one RequestMirror, weighted backends and timeouts; importing the route without this would change what it matches, so the route is not imported."

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

// genericRoute is what nbac reads of an HTTPRoute or a GRPCRoute.
type genericRoute struct {
	parents   []gatewayv1.ParentReference
	hostnames []gatewayv1.Hostname
	rules     int
	filters   []gatewayv1.HTTPRouteFilter
	backends  []gatewayv1.BackendRef
	// backendFilters says whether a backendRef has filters of its own.
	backendFilters []bool
	timeouts       *gatewayv1.HTTPRouteTimeouts
}

func (m *mapper) httpRoute(o *Object, r *gatewayv1.HTTPRoute) {
	g := genericRoute{parents: r.Spec.ParentRefs, hostnames: r.Spec.Hostnames, rules: len(r.Spec.Rules)}
	rt := &Route{}
	if len(r.Spec.Rules) > 0 {
		rule := r.Spec.Rules[0]
		g.filters, g.timeouts = rule.Filters, rule.Timeouts
		for _, b := range rule.BackendRefs {
			g.backends = append(g.backends, b.BackendRef)
			g.backendFilters = append(g.backendFilters, len(b.Filters) > 0)
		}
		if len(rule.Matches) > 1 {
			o.report(m.res, "spec.rules[0].matches[1]", importer.NoEquivalent, routeDetail)
			o.report(m.res, "", importer.NoEquivalent, "The route has more than one match.")
			return
		}
		if len(rule.Matches) == 1 {
			mt := rule.Matches[0]
			p := "spec.rules[0].matches[0]"
			if len(mt.Headers) > 0 || len(mt.QueryParams) > 0 || mt.Method != nil {
				o.report(m.res, p, importer.NoEquivalent, routeDetail)
				o.report(m.res, "", importer.NoEquivalent, "The route matches more than a path.")
				return
			}
			if mt.Path != nil {
				t := gatewayv1.PathMatchPathPrefix
				if mt.Path.Type != nil {
					t = *mt.Path.Type
				}
				switch t {
				case gatewayv1.PathMatchPathPrefix:
				case gatewayv1.PathMatchExact:
					rt.PathType = "exact"
				default:
					o.report(m.res, p+".path.type", importer.NoEquivalent, routeDetail)
					o.report(m.res, "", importer.NoEquivalent, "The route matches its path by "+string(t)+".")
					return
				}
				if mt.Path.Value != nil && *mt.Path.Value != "/" {
					rt.Path = *mt.Path.Value
				}
			}
			o.use(p)
		}
	}
	m.route(o, rt, g)
}

func (m *mapper) grpcRoute(o *Object, r *gatewayv1.GRPCRoute) {
	g := genericRoute{parents: r.Spec.ParentRefs, hostnames: r.Spec.Hostnames, rules: len(r.Spec.Rules)}
	if len(r.Spec.Rules) > 0 {
		rule := r.Spec.Rules[0]
		if len(rule.Matches) > 0 {
			o.report(m.res, "spec.rules[0].matches", importer.NoEquivalent, routeDetail)
			o.report(m.res, "", importer.NoEquivalent, "The GRPCRoute matches services or methods; nbac's matches all of them.")
			return
		}
		for _, f := range rule.Filters {
			g.filters = append(g.filters, gatewayv1.HTTPRouteFilter{Type: gatewayv1.HTTPRouteFilterType(f.Type),
				RequestHeaderModifier: f.RequestHeaderModifier, ResponseHeaderModifier: f.ResponseHeaderModifier, RequestMirror: f.RequestMirror,
				ExtensionRef: f.ExtensionRef})
		}
		for _, b := range rule.BackendRefs {
			g.backends = append(g.backends, b.BackendRef)
			g.backendFilters = append(g.backendFilters, len(b.Filters) > 0)
		}
	}
	m.route(o, &Route{GRPC: true}, g)
}

// backendService is the nbac service behind a backendRef to a Service of
// the estate, or nil.
func (m *mapper) backendService(b gatewayv1.BackendObjectReference) *Service {
	if b.Group != nil && *b.Group != "" || b.Kind != nil && *b.Kind != "Service" || b.Namespace != nil && string(*b.Namespace) != m.e.Namespace {
		return nil
	}
	so := m.byKey[Key{"Service", string(b.Name)}]
	if so == nil || so.Target == (Key{}) || so.Target.Kind != "Service" {
		return nil
	}
	return m.service(so.Target.Name)
}

// route attaches a route to the service of its backends: the one named
// like the route, else the heaviest (first on a tie).
func (m *mapper) route(o *Object, rt *Route, g genericRoute) {
	if len(g.backends) == 0 {
		return // reported by unmatched
	}
	var owner, named *Service
	best := int32(-1)
	split := map[string]int{}
	for i, b := range g.backends {
		p := fmt.Sprintf("spec.rules[0].backendRefs[%d]", i)
		s := m.backendService(b.BackendObjectReference)
		if s == nil || g.backendFilters[i] || split[s.Name] > 0 {
			o.report(m.res, p, importer.NoEquivalent, "nbac's route sends traffic to the Services of imported Deployments (each once, without filters of its own).")
			o.report(m.res, "", importer.NoEquivalent, "A backend of the route is not an imported service.")
			return
		}
		w := int32(1)
		if b.Weight != nil {
			w = *b.Weight
		}
		if w < 0 || w > maxWeight {
			o.report(m.res, p+".weight", importer.OutOfRange, "nbac's split weights are 0..1000000.")
			o.report(m.res, "", importer.OutOfRange, "A backend weight of the route is outside what nbac allows.")
			return
		}
		split[s.Name] = int(w)
		if s.Name == o.Name {
			named = s
		}
		if w > best {
			owner, best = s, w
		}
		o.use(p)
	}
	if named != nil {
		owner = named
	}
	if owner.Route != nil {
		o.report(m.res, "", importer.NoEquivalent, fmt.Sprintf("Service %s already has a route (nbac's services have at most one); this one is not imported.", owner.Name))
		return
	}
	if len(split) > 1 || split[owner.Name] != 1 {
		rt.Split = split
	}
	if len(g.parents) != 1 {
		o.report(m.res, "spec.parentRefs", importer.NoEquivalent, "nbac's route attaches to one Gateway.")
		o.report(m.res, "", importer.NoEquivalent, "The route has no parent or more than one.")
		return
	}
	pr := g.parents[0]
	if pr.Group != nil && *pr.Group != gatewayGroup || pr.Kind != nil && *pr.Kind != "Gateway" {
		o.report(m.res, "spec.parentRefs[0]", importer.NoEquivalent, "nbac's route attaches to a Gateway.")
		o.report(m.res, "", importer.NoEquivalent, "The route's parent is not a Gateway.")
		return
	}
	o.use("spec.parentRefs[0].name", "spec.parentRefs[0].namespace", "spec.parentRefs[0].group", "spec.parentRefs[0].kind")
	ns := m.e.Namespace
	if pr.Namespace != nil {
		ns = string(*pr.Namespace)
	}
	rt.Gateway = string(pr.Name)
	var gw *Gateway
	for _, x := range m.e.Gateways {
		if x.Name == rt.Gateway && x.Namespace == ns {
			gw = x
		}
	}
	rt.Declared = gw != nil
	if gw == nil && ns != m.e.Namespace {
		rt.GatewayNamespace = ns
	}
	for _, f := range []string{"sectionName", "port"} {
		if nodeAt(o.Node, "spec.parentRefs[0]."+f) != nil {
			o.report(m.res, "spec.parentRefs[0]."+f, importer.NoEquivalent, "nbac's route attaches to every listener of its gateway that admits it.")
		}
	}
	for _, h := range g.hostnames {
		if !slices.Contains(rt.Hosts, string(h)) {
			rt.Hosts = append(rt.Hosts, string(h))
		}
	}
	slices.Sort(rt.Hosts)
	o.use("spec.hostnames")
	for i := 1; i < g.rules; i++ {
		o.report(m.res, fmt.Sprintf("spec.rules[%d]", i), importer.NoEquivalent, "nbac's route block is one rule; only the first is imported.")
	}
	m.routeFilters(o, rt, g.filters)
	if t := g.timeouts; t != nil {
		if t.Request != nil {
			rt.Timeout = m.duration(o, "spec.rules[0].timeouts.request", string(*t.Request))
		}
		if t.BackendRequest != nil {
			rt.Backend = m.duration(o, "spec.rules[0].timeouts.backendRequest", string(*t.BackendRequest))
		}
	}
	if gw != nil {
		m.routeTLS(rt, gw, owner)
	}
	rt.obj = o
	owner.Route = rt
	o.Target = Key{o.Kind, owner.Name}
}

// duration is a Gateway API duration as nbac writes it ("0s", which
// disables the timeout, has no nbac form).
func (m *mapper) duration(o *Object, p, v string) string {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		o.report(m.res, p, importer.OutOfRange, "nbac's timeouts are 1ms..24h; a zero timeout (none) is nbac's default when the attribute is left out.")
		return ""
	}
	o.use(p)
	return d.String()
}

func (m *mapper) routeFilters(o *Object, rt *Route, filters []gatewayv1.HTTPRouteFilter) {
	for i, f := range filters {
		p := fmt.Sprintf("spec.rules[0].filters[%d]", i)
		switch {
		case f.Type == gatewayv1.HTTPRouteFilterRequestHeaderModifier && f.RequestHeaderModifier != nil && rt.ReqSet == nil && rt.ReqDel == nil:
			rt.ReqSet, rt.ReqDel = m.headers(o, p+".requestHeaderModifier", f.RequestHeaderModifier)
		case f.Type == gatewayv1.HTTPRouteFilterResponseHeaderModifier && f.ResponseHeaderModifier != nil && rt.RespSet == nil && rt.RespDel == nil:
			rt.RespSet, rt.RespDel = m.headers(o, p+".responseHeaderModifier", f.ResponseHeaderModifier)
		case f.Type == gatewayv1.HTTPRouteFilterRequestMirror && f.RequestMirror != nil && rt.Mirror == "":
			s := m.backendService(f.RequestMirror.BackendRef)
			if s == nil || f.RequestMirror.Fraction != nil {
				o.report(m.res, p, importer.NoEquivalent, "nbac mirrors to the Service of an imported Deployment, for a whole percentage of requests.")
				continue
			}
			pct := 100
			if f.RequestMirror.Percent != nil {
				pct = int(*f.RequestMirror.Percent)
			}
			if pct < 1 || pct > 100 {
				o.report(m.res, p, importer.OutOfRange, "nbac mirrors 1..100% of the requests; 0% mirrors nothing, so leaving the mirror out keeps the meaning.")
				continue
			}
			rt.Mirror, rt.MirrorPercent = s.Name, pct
			o.use(p)
		default:
			o.report(m.res, p, importer.NoEquivalent, "nbac's route filters are one request and one response header modifier and one RequestMirror; redirects, rewrites, CORS and extension filters have no nbac setting.")
			continue
		}
		o.use(p + ".type")
	}
}

// headers reads a header modifier: set and remove; add (which keeps the
// request's own value beside it) has no nbac form.
func (m *mapper) headers(o *Object, p string, f *gatewayv1.HTTPHeaderFilter) (map[string]string, []string) {
	set := map[string]string{}
	for _, h := range f.Set {
		set[string(h.Name)] = h.Value
	}
	if len(f.Add) > 0 {
		o.report(m.res, p+".add", importer.NoEquivalent, "nbac's header modifiers set (replace) and remove headers; add keeps the original value beside the new one.")
	}
	o.use(p+".set", p+".remove")
	return set, slices.Clone(f.Remove)
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
