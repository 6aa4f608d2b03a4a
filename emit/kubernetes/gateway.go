package kubernetes

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/nbac/nbac/emit"
	"github.com/nbac/nbac/schema"
)

// Gateway API objects (sigs.k8s.io/gateway-api v1.6.3, standard channel,
// gateway.networking.k8s.io/v1): a service's route becomes an HTTPRoute or
// a GRPCRoute in its file, plus a ReferenceGrant when a declared gateway in
// another namespace must read the route's certificate Secret; a gateway
// block becomes kubernetes/<name>.gateway.yaml ('.' cannot occur in a
// service name, so the files never collide).

const (
	gatewayAPIVersion = "gateway.networking.k8s.io/v1"
	// gatewayBundle is the Gateway API release the objects are written
	// for; it is the version label of Gateway objects.
	gatewayBundle    = "v1.6.3"
	gatewayComponent = "gateway"
	labelNamespace   = "kubernetes.io/metadata.name"
)

// routeObjects returns the ReferenceGrant (when needed) and the route of
// the service, in that order, or nil.
func (b *builder) routeObjects() []any {
	r := b.svc.Route
	if r == nil {
		return nil
	}
	var out []any
	if g := b.declaredGateway(); g != nil && r.TLS && g.Namespace != b.m.Project.Namespace {
		out = append(out, b.referenceGrant(g))
	}
	if r.GRPC {
		return append(out, b.grpcRoute())
	}
	return append(out, b.httpRoute())
}

func (b *builder) declaredGateway() *schema.Gateway {
	r := b.svc.Route
	if !r.Declared {
		return nil
	}
	for i := range b.m.Gateways {
		if b.m.Gateways[i].Name == r.Gateway {
			return &b.m.Gateways[i]
		}
	}
	return nil
}

func (b *builder) parentRefs() []gatewayv1.ParentReference {
	r := b.svc.Route
	ref := gatewayv1.ParentReference{Name: gatewayv1.ObjectName(r.Gateway)}
	ns := r.GatewayNamespace
	if g := b.declaredGateway(); g != nil {
		ns = g.Namespace
	}
	if ns != "" && ns != b.m.Project.Namespace {
		ref.Namespace = ptr(gatewayv1.Namespace(ns))
	}
	return []gatewayv1.ParentReference{ref}
}

func (b *builder) hostnames() []gatewayv1.Hostname {
	var out []gatewayv1.Hostname
	for _, h := range b.svc.Route.Hosts {
		out = append(out, gatewayv1.Hostname(h))
	}
	return out
}

// backendRefs are the split's services with their weights, or the service
// itself; each on its Service port.
func (b *builder) backendRefs() []gatewayv1.BackendRef {
	split := b.svc.Route.Split
	if len(split) == 0 {
		return []gatewayv1.BackendRef{{BackendObjectReference: b.backendObject(b.svc.Name)}}
	}
	var out []gatewayv1.BackendRef
	for _, s := range split {
		out = append(out, gatewayv1.BackendRef{BackendObjectReference: b.backendObject(s.Service), Weight: ptr(int32(s.Weight))})
	}
	return out
}

func (b *builder) backendObject(service string) gatewayv1.BackendObjectReference {
	port := b.svc.Port
	for i := range b.m.Services {
		if b.m.Services[i].Name == service {
			port = b.m.Services[i].Port
		}
	}
	return gatewayv1.BackendObjectReference{Name: gatewayv1.ObjectName(service), Port: ptr(gatewayv1.PortNumber(port))}
}

func headerFilter(set map[string]string, remove []string) *gatewayv1.HTTPHeaderFilter {
	if len(set) == 0 && len(remove) == 0 {
		return nil
	}
	f := &gatewayv1.HTTPHeaderFilter{Remove: slices.Clone(remove)}
	for _, k := range slices.Sorted(maps.Keys(set)) {
		f.Set = append(f.Set, gatewayv1.HTTPHeader{Name: gatewayv1.HTTPHeaderName(k), Value: set[k]})
	}
	return f
}

func (b *builder) mirror() *gatewayv1.HTTPRequestMirrorFilter {
	r := b.svc.Route
	if r.Mirror == "" {
		return nil
	}
	m := &gatewayv1.HTTPRequestMirrorFilter{BackendRef: b.backendObject(r.Mirror)}
	if r.MirrorPercent > 0 && r.MirrorPercent < 100 {
		m.Percent = ptr(int32(r.MirrorPercent))
	}
	return m
}

// filters are the route's header modifiers and mirror, in that order.
func (b *builder) filters() []gatewayv1.HTTPRouteFilter {
	r := b.svc.Route
	var out []gatewayv1.HTTPRouteFilter
	if f := headerFilter(r.RequestHeaders, r.RemoveRequestHeaders); f != nil {
		out = append(out, gatewayv1.HTTPRouteFilter{Type: gatewayv1.HTTPRouteFilterRequestHeaderModifier, RequestHeaderModifier: f})
	}
	if f := headerFilter(r.ResponseHeaders, r.RemoveResponseHeaders); f != nil {
		out = append(out, gatewayv1.HTTPRouteFilter{Type: gatewayv1.HTTPRouteFilterResponseHeaderModifier, ResponseHeaderModifier: f})
	}
	if m := b.mirror(); m != nil {
		out = append(out, gatewayv1.HTTPRouteFilter{Type: gatewayv1.HTTPRouteFilterRequestMirror, RequestMirror: m})
	}
	return out
}

func (b *builder) httpRoute() *gatewayv1.HTTPRoute {
	r := b.svc.Route
	pathType := gatewayv1.PathMatchPathPrefix
	if r.PathType == "exact" {
		pathType = gatewayv1.PathMatchExact
	}
	path := r.Path
	if path == "" {
		path = defaultPath
	}
	rule := gatewayv1.HTTPRouteRule{
		Matches: []gatewayv1.HTTPRouteMatch{{Path: &gatewayv1.HTTPPathMatch{Type: &pathType, Value: &path}}},
	}
	rule.Filters = b.filters()
	for _, br := range b.backendRefs() {
		rule.BackendRefs = append(rule.BackendRefs, gatewayv1.HTTPBackendRef{BackendRef: br})
	}
	if r.Timeout > 0 || r.BackendTimeout > 0 {
		rule.Timeouts = &gatewayv1.HTTPRouteTimeouts{Request: gatewayDuration(r.Timeout), BackendRequest: gatewayDuration(r.BackendTimeout)}
	}
	return &gatewayv1.HTTPRoute{
		TypeMeta:   typeMeta(gatewayAPIVersion, "HTTPRoute"),
		ObjectMeta: b.meta(b.svc.Name),
		Spec: gatewayv1.HTTPRouteSpec{
			CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: b.parentRefs()},
			Hostnames:       b.hostnames(),
			Rules:           []gatewayv1.HTTPRouteRule{rule},
		},
	}
}

func (b *builder) grpcRoute() *gatewayv1.GRPCRoute {
	var rule gatewayv1.GRPCRouteRule
	// The three filters nbac writes have the same types and type names in
	// both kinds of route.
	for _, f := range b.filters() {
		rule.Filters = append(rule.Filters, gatewayv1.GRPCRouteFilter{Type: gatewayv1.GRPCRouteFilterType(f.Type),
			RequestHeaderModifier: f.RequestHeaderModifier, ResponseHeaderModifier: f.ResponseHeaderModifier, RequestMirror: f.RequestMirror})
	}
	for _, br := range b.backendRefs() {
		rule.BackendRefs = append(rule.BackendRefs, gatewayv1.GRPCBackendRef{BackendRef: br})
	}
	return &gatewayv1.GRPCRoute{
		TypeMeta:   typeMeta(gatewayAPIVersion, "GRPCRoute"),
		ObjectMeta: b.meta(b.svc.Name),
		Spec: gatewayv1.GRPCRouteSpec{
			CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: b.parentRefs()},
			Hostnames:       b.hostnames(),
			Rules:           []gatewayv1.GRPCRouteRule{rule},
		},
	}
}

// referenceGrant lets gateway g, in its own namespace, read the route's
// certificate Secret in the service's namespace.
func (b *builder) referenceGrant(g *schema.Gateway) *gatewayv1.ReferenceGrant {
	secret := gatewayv1.ObjectName(b.svc.Route.TLSSecret)
	return &gatewayv1.ReferenceGrant{
		TypeMeta:   typeMeta(gatewayAPIVersion, "ReferenceGrant"),
		ObjectMeta: b.meta(b.svc.Name + "-" + g.Name),
		Spec: gatewayv1.ReferenceGrantSpec{
			From: []gatewayv1.ReferenceGrantFrom{{Group: gatewayv1.GroupName, Kind: "Gateway", Namespace: gatewayv1.Namespace(g.Namespace)}},
			To:   []gatewayv1.ReferenceGrantTo{{Group: "", Kind: "Secret", Name: &secret}},
		},
	}
}

// gatewayDuration writes d in the Gateway API duration format (GEP-2257:
// up to four h/m/s/ms parts); nil for zero. Validation keeps d to whole
// milliseconds up to a day.
func gatewayDuration(d schema.Duration) *gatewayv1.Duration {
	if d <= 0 {
		return nil
	}
	var sb strings.Builder
	rest := d.D()
	for _, u := range []struct {
		unit string
		size time.Duration
	}{{"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}, {"ms", time.Millisecond}} {
		if n := rest / u.size; n > 0 {
			sb.WriteString(strconv.FormatInt(int64(n), 10) + u.unit)
			rest -= n * u.size
		}
	}
	return ptr(gatewayv1.Duration(sb.String()))
}

// gatewayObject builds the Gateway of a gateway block: its listeners and
// those its routes' TLS hosts add, cert-manager's annotation, and which
// namespaces' routes it admits.
func gatewayObject(m *schema.Model, g *schema.Gateway) *gatewayv1.Gateway {
	l := map[string]string{LabelComponent: gatewayComponent}
	maps.Copy(l, m.Project.Labels)
	l[LabelName], l[LabelInstance], l[LabelVersion] = g.Name, g.Name, gatewayBundle
	l[LabelPartOf], l[LabelManagedBy] = m.Project.Name, managedBy
	meta := metav1.ObjectMeta{Name: g.Name, Namespace: g.Namespace, Labels: l}
	if g.Issuer != "" {
		meta.Annotations = map[string]string{annIssuer: g.Issuer}
	}
	var allowed *gatewayv1.AllowedRoutes
	switch {
	case g.AllowedRoutes == "All":
		allowed = &gatewayv1.AllowedRoutes{Namespaces: &gatewayv1.RouteNamespaces{From: ptr(gatewayv1.NamespacesFromAll)}}
	case g.AllowedRoutes == "" && g.Namespace != m.Project.Namespace:
		allowed = &gatewayv1.AllowedRoutes{Namespaces: &gatewayv1.RouteNamespaces{
			From:     ptr(gatewayv1.NamespacesFromSelector),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{labelNamespace: m.Project.Namespace}},
		}}
	}
	obj := &gatewayv1.Gateway{
		TypeMeta:   typeMeta(gatewayAPIVersion, "Gateway"),
		ObjectMeta: meta,
		Spec:       gatewayv1.GatewaySpec{GatewayClassName: gatewayv1.ObjectName(g.Class)},
	}
	for _, ln := range append(slices.Clone(g.Listeners), schema.RouteListeners(m, g)...) {
		out := gatewayv1.Listener{Name: gatewayv1.SectionName(ln.Name), Port: gatewayv1.PortNumber(ln.Port), Protocol: gatewayv1.ProtocolType(ln.Protocol)}
		if ln.Hostname != "" {
			out.Hostname = ptr(gatewayv1.Hostname(ln.Hostname))
		}
		if ln.TLSSecret != "" {
			ref := gatewayv1.SecretObjectReference{Name: gatewayv1.ObjectName(ln.TLSSecret)}
			if ln.TLSSecretNamespace != "" {
				ref.Namespace = ptr(gatewayv1.Namespace(ln.TLSSecretNamespace))
			}
			out.TLS = &gatewayv1.ListenerTLSConfig{Mode: ptr(gatewayv1.TLSModeTerminate), CertificateRefs: []gatewayv1.SecretObjectReference{ref}}
		}
		if allowed != nil {
			out.AllowedRoutes = allowed.DeepCopy()
		}
		obj.Spec.Listeners = append(obj.Spec.Listeners, out)
	}
	return obj
}

// emitGateways returns kubernetes/<name>.gateway.yaml for every gateway.
func emitGateways(m *schema.Model) ([]emit.Artifact, hcl.Diagnostics) {
	var (
		arts  []emit.Artifact
		diags hcl.Diagnostics
	)
	for i := range m.Gateways {
		g := &m.Gateways[i]
		// As for services: a model from elsewhere must not smuggle a path
		// or a line break through the name.
		if errs := validation.IsDNS1123Label(g.Name); len(errs) > 0 {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid gateway name",
				Detail: fmt.Sprintf("The gateway name %q cannot name a Gateway or a file: %s.", g.Name, strings.Join(errs, "; ")), Subject: g.Src.Range("")})
			continue
		}
		var out bytes.Buffer
		fmt.Fprintf(&out, "# Code generated by nbac from gateway %s. DO NOT EDIT.\n---\n", strconv.Quote(g.Name))
		if err := render(&out, gatewayObject(m, g)); err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot render Kubernetes object",
				Detail: "Rendering " + schema.Describe("gateway", g.Name) + " failed: " + err.Error() + ". This is a bug in nbac; please report it.", Subject: g.Src.Range("")})
			continue
		}
		a := emit.Artifact{Path: "kubernetes/" + g.Name + ".gateway.yaml", Data: out.Bytes(), Origin: schema.Describe("gateway", g.Name)}
		if g.Src.Block.Filename != "" {
			r := g.Src.Block
			a.Range = &r
		}
		arts = append(arts, a)
	}
	return arts, diags
}
