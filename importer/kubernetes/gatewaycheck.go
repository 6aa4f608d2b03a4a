package kubernetes

import (
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/importer"
	"github.com/nbac/nbac/schema"
	"github.com/nbac/nbac/schema/validate"
)

// checkGatewayAPI runs nbac's own validation (schema/validate) over the
// gateways and routes built, so that a value nbac refuses (a path with
// "//", a weight out of range, a header name that is no HTTP token) is
// reported at its object instead of written as HCL that does not build.
// A refused gateway is left out (its routes then attach to it by name);
// a refused route is left out.
func (m *mapper) checkGatewayAPI() {
	for range 3 { // a refused gateway can change what its routes mean
		bad := m.refused()
		if len(bad) == 0 {
			return
		}
		for _, gw := range slices.Clone(m.e.Gateways) {
			if why, ok := bad["gateway/"+gw.Name]; ok {
				gw.obj.report(m.res, "", importer.OutOfRange, "nbac refuses this Gateway as a gateway block: "+why+" Routes attach to it by name.")
				gw.obj.Target = Key{}
				m.e.Gateways = slices.DeleteFunc(m.e.Gateways, func(g *Gateway) bool { return g == gw })
				for _, s := range m.e.Services {
					if r := s.Route; r != nil && r.Declared && r.Gateway == gw.Name {
						r.Declared, r.TLS, r.TLSSecret = false, false, ""
						if gw.Namespace != m.e.Namespace {
							r.GatewayNamespace = gw.Namespace
						}
					}
				}
			}
		}
		for _, s := range m.e.Services {
			if why, ok := bad["route/"+s.Name]; ok && s.Route != nil {
				s.Route.obj.report(m.res, "", importer.OutOfRange, "nbac refuses this route: "+why)
				s.Route.obj.Target = Key{}
				for _, gw := range m.e.Gateways {
					for n, svc := range gw.derived {
						if svc == s.Name {
							delete(gw.derived, n)
						}
					}
				}
				s.Route = nil
			}
		}
	}
}

// refused validates the model of the gateways and routes and returns the
// problems by "gateway/NAME" or "route/SERVICE".
func (m *mapper) refused() map[string]string {
	tag := func(what string) schema.Source { return schema.Source{Block: hcl.Range{Filename: what}} }
	model := &schema.Model{Project: schema.Project{Name: m.e.Project, Namespace: m.e.Namespace}}
	for _, gw := range m.e.Gateways {
		g := schema.Gateway{Name: gw.Name, Namespace: gw.Namespace, Class: gw.Class, Issuer: gw.Issuer, AllowedRoutes: gw.AllowedRoutes, Src: tag("gateway/" + gw.Name)}
		for _, l := range gw.Listeners {
			if _, left := gw.derived[l.Name]; !left {
				g.Listeners = append(g.Listeners, schema.Listener{Name: l.Name, Protocol: l.Protocol, Port: l.Port, Hostname: l.Hostname, TLSSecret: l.TLSSecret, Src: g.Src})
			}
		}
		if len(g.Listeners) == 0 {
			g.Listeners = []schema.Listener{{Name: "http", Protocol: "HTTP", Port: 80, Src: g.Src}}
		}
		slices.SortFunc(g.Listeners, func(a, b schema.Listener) int { return strings.Compare(a.Name, b.Name) })
		model.Gateways = append(model.Gateways, g)
	}
	for _, s := range m.e.Services {
		port := s.Port
		if port == 0 {
			port = 8080
		}
		svc := schema.Service{Name: s.Name, Image: s.Image, Port: port}
		if r := s.Route; r != nil {
			svc.Route = schemaRoute(s, r, tag("route/"+s.Name))
		}
		model.Services = append(model.Services, svc)
	}
	bad := map[string]string{}
	for _, d := range validate.Model(model) {
		if d.Severity != hcl.DiagError || d.Subject == nil {
			continue
		}
		if k := d.Subject.Filename; strings.HasPrefix(k, "gateway/") || strings.HasPrefix(k, "route/") {
			bad[k] = strings.TrimSpace(bad[k] + " " + d.Summary + ": " + strings.TrimSuffix(d.Detail, ".") + ".")
		}
	}
	return bad
}

// schemaRoute is r as lang would lower its route block.
func schemaRoute(s *Service, r *Route, src schema.Source) *schema.Route {
	out := &schema.Route{Gateway: r.Gateway, GatewayNamespace: r.GatewayNamespace, Declared: r.Declared, Hosts: r.Hosts,
		Path: r.Path, PathType: r.PathType, GRPC: r.GRPC, TLS: r.TLS, TLSSecret: r.TLSSecret,
		RequestHeaders: r.ReqSet, RemoveRequestHeaders: r.ReqDel, ResponseHeaders: r.RespSet, RemoveResponseHeaders: r.RespDel,
		Mirror: r.Mirror, MirrorPercent: r.MirrorPercent, Src: src}
	if out.Path == "" {
		out.Path = "/"
	}
	if out.PathType == "" {
		out.PathType = "prefix"
	}
	if out.TLS && out.TLSSecret == "" {
		out.TLSSecret = s.Name + "-tls"
	}
	out.Timeout, out.BackendTimeout = parseDuration(r.Timeout), parseDuration(r.Backend)
	for _, k := range sortedKeys(r.Split) {
		out.Split = append(out.Split, schema.WeightedBackend{Service: k, Weight: r.Split[k]})
	}
	return out
}

func parseDuration(s string) schema.Duration {
	d, _ := time.ParseDuration(s)
	return schema.Duration(d)
}
