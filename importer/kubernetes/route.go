package kubernetes

import (
	"fmt"
	"slices"
	"time"

	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/nbac/nbac/importer"
)

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

// routeDetail is why a route richer than nbac's is not imported.
const routeDetail = "nbac's route block is one rule: one PathPrefix or Exact path match (none for a GRPCRoute), header modifiers, one RequestMirror, weighted backends and timeouts; importing the route without this would change what it matches, so the route is not imported."

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
