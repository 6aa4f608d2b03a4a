package roundtrip

import (
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/nbac/nbac/importer/kubernetes"
)

// The defaults the Gateway API CRDs (standard channel, v1.6.3) apply on
// create, and the orderings that carry no meaning (hostnames and header
// removals are sets, listeners and header sets list-maps keyed by name),
// applied to both sides.

func defaultGateway(g *gatewayv1.Gateway) {
	for i := range g.Spec.Listeners {
		l := &g.Spec.Listeners[i]
		if l.TLS != nil {
			if l.TLS.Mode == nil {
				l.TLS.Mode = ptr(gatewayv1.TLSModeTerminate)
			}
			for j := range l.TLS.CertificateRefs {
				c := &l.TLS.CertificateRefs[j]
				c.Group = orDefault(c.Group, "")
				c.Kind = orDefault(c.Kind, "Secret")
			}
		}
		if l.AllowedRoutes == nil {
			l.AllowedRoutes = &gatewayv1.AllowedRoutes{}
		}
		if l.AllowedRoutes.Namespaces == nil {
			l.AllowedRoutes.Namespaces = &gatewayv1.RouteNamespaces{}
		}
		if l.AllowedRoutes.Namespaces.From == nil {
			l.AllowedRoutes.Namespaces.From = ptr(gatewayv1.NamespacesFromSame)
		}
	}
	slices.SortFunc(g.Spec.Listeners, func(a, b gatewayv1.Listener) int { return strings.Compare(string(a.Name), string(b.Name)) })
}

func defaultCommon(c *gatewayv1.CommonRouteSpec, hosts *[]gatewayv1.Hostname) {
	for i := range c.ParentRefs {
		p := &c.ParentRefs[i]
		p.Group = orDefault(p.Group, gatewayv1.GroupName)
		p.Kind = orDefault(p.Kind, "Gateway")
	}
	slices.Sort(*hosts)
	*hosts = slices.Compact(*hosts)
}

func defaultBackend(b *gatewayv1.BackendObjectReference) {
	b.Group = orDefault(b.Group, "")
	b.Kind = orDefault(b.Kind, "Service")
}

func defaultWeighted(b *gatewayv1.BackendRef) {
	defaultBackend(&b.BackendObjectReference)
	if b.Weight == nil {
		b.Weight = ptr(int32(1))
	}
}

func defaultFilters(fs []gatewayv1.HTTPRouteFilter) {
	for i := range fs {
		if m := fs[i].RequestMirror; m != nil {
			defaultBackend(&m.BackendRef)
		}
		sortHeaders(fs[i].RequestHeaderModifier)
		sortHeaders(fs[i].ResponseHeaderModifier)
	}
}

// sortHeaders: set is a list-map keyed by name, remove a set.
func sortHeaders(f *gatewayv1.HTTPHeaderFilter) {
	if f == nil {
		return
	}
	slices.SortFunc(f.Set, func(a, b gatewayv1.HTTPHeader) int { return strings.Compare(string(a.Name), string(b.Name)) })
	slices.Sort(f.Remove)
}

func defaultHTTPRoute(r *gatewayv1.HTTPRoute) {
	defaultCommon(&r.Spec.CommonRouteSpec, &r.Spec.Hostnames)
	for i := range r.Spec.Rules {
		rule := &r.Spec.Rules[i]
		if len(rule.Matches) == 0 {
			rule.Matches = []gatewayv1.HTTPRouteMatch{{}}
		}
		for j := range rule.Matches {
			m := &rule.Matches[j]
			if m.Path == nil {
				m.Path = &gatewayv1.HTTPPathMatch{}
			}
			m.Path.Type = orDefault(m.Path.Type, gatewayv1.PathMatchPathPrefix)
			m.Path.Value = orDefault(m.Path.Value, "/")
		}
		defaultFilters(rule.Filters)
		for j := range rule.BackendRefs {
			defaultWeighted(&rule.BackendRefs[j].BackendRef)
		}
		if t := rule.Timeouts; t != nil {
			t.Request, t.BackendRequest = normalDuration(t.Request), normalDuration(t.BackendRequest)
		}
	}
}

func defaultGRPCRoute(r *gatewayv1.GRPCRoute) {
	defaultCommon(&r.Spec.CommonRouteSpec, &r.Spec.Hostnames)
	for i := range r.Spec.Rules {
		rule := &r.Spec.Rules[i]
		for j := range rule.Filters {
			if m := rule.Filters[j].RequestMirror; m != nil {
				defaultBackend(&m.BackendRef)
			}
			sortHeaders(rule.Filters[j].RequestHeaderModifier)
			sortHeaders(rule.Filters[j].ResponseHeaderModifier)
		}
		for j := range rule.BackendRefs {
			defaultWeighted(&rule.BackendRefs[j].BackendRef)
		}
	}
}

// normalDuration spells a Gateway API duration one way ("90s" is "1m30s").
func normalDuration(d *gatewayv1.Duration) *gatewayv1.Duration {
	if d == nil {
		return nil
	}
	if v, err := time.ParseDuration(string(*d)); err == nil {
		return ptr(gatewayv1.Duration(v.String()))
	}
	return d
}

func ptr[T any](v T) *T { return &v }

func orDefault[T any, P ~*T](p P, def T) P {
	if p == nil {
		return &def
	}
	return p
}

// serviceNames maps each original Service the import matched to the
// service it became (nbac names the Service after the service).
func serviceNames(e *kubernetes.Estate) map[string]string {
	out := map[string]string{}
	for _, o := range e.Objects {
		if o.Kind == "Service" && o.Target.Kind == "Service" {
			out[o.Name] = o.Target.Name
		}
	}
	return out
}

// renameBackends writes an original route's backends (and mirror) by the
// name of the Service nbac writes for the same Deployment, so that a
// renamed Service is no difference and another backend is one.
func renameBackends(obj runtime.Object, services map[string]string) {
	for _, b := range backendObjects(obj) {
		if n, ok := services[string(b.Name)]; ok && (b.Kind == nil || *b.Kind == "Service") && (b.Group == nil || *b.Group == "") {
			b.Name = gatewayv1.ObjectName(n)
		}
	}
}

// backendObjects are every backendRef and mirror of a route's rules.
func backendObjects(obj runtime.Object) []*gatewayv1.BackendObjectReference {
	var out []*gatewayv1.BackendObjectReference
	add := func(b *gatewayv1.BackendObjectReference, m *gatewayv1.HTTPRequestMirrorFilter) {
		if b != nil {
			out = append(out, b)
		}
		if m != nil {
			out = append(out, &m.BackendRef)
		}
	}
	switch t := obj.(type) {
	case *gatewayv1.HTTPRoute:
		for i := range t.Spec.Rules {
			r := &t.Spec.Rules[i]
			for j := range r.BackendRefs {
				add(&r.BackendRefs[j].BackendObjectReference, nil)
			}
			for j := range r.Filters {
				add(nil, r.Filters[j].RequestMirror)
			}
		}
	case *gatewayv1.GRPCRoute:
		for i := range t.Spec.Rules {
			r := &t.Spec.Rules[i]
			for j := range r.BackendRefs {
				add(&r.BackendRefs[j].BackendObjectReference, nil)
			}
			for j := range r.Filters {
				add(nil, r.Filters[j].RequestMirror)
			}
		}
	}
	return out
}
