package graph

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"github.com/nbac/nbac/schema"
)

// kind is one kind of node: how it is drawn, which cluster it goes in,
// and the function that adds its nodes (and the edges leaving them) from
// the model.
type kind struct {
	Name  string // the block type, "load_balancer"
	Title string // its cluster's title, "Load balancers"
	Shape string // a Graphviz node shape
	Fill  string // fill colour when the plan leaves the node alone
	// add adds this kind's nodes and edges; nil for kinds whose nodes
	// another kind adds (a backend is added with its load balancer).
	add func(b *builder)
}

// kinds, in the order a reader follows a request: what is in front, then
// what it reaches. A new block kind is one entry here, with its add
// function calling b.node for each block and b.edge for its references; a
// reference that is not a block of its own (a KEDA trigger) is an edge
// added by the entry of the block that holds it (addServices).
var kinds = []kind{
	{Name: "ingress", Title: "Ingress hosts", Shape: "cds", Fill: "#e8eaf6", add: addIngresses},
	{Name: "gateway", Title: "Gateways", Shape: "invhouse", Fill: "#e0f2f1", add: addGateways},
	{Name: "route", Title: "Gateway routes", Shape: "cds", Fill: "#e0f7fa", add: addRoutes},
	{Name: "load_balancer", Title: "Load balancers", Shape: "box", Fill: "#e3f2fd", add: addLoadBalancers},
	{Name: "backend", Title: "Backends", Shape: "box", Fill: "#f5f5f5"},
	{Name: "service", Title: "Services", Shape: "box3d", Fill: "#e8f5e9", add: addServices},
	{Name: "cache", Title: "Caches", Shape: "folder", Fill: "#fff8e1", add: addCaches},
	{Name: "queue", Title: "Queues", Shape: "box", Fill: "#fce4ec", add: addQueues},
	{Name: "broker", Title: "Brokers", Shape: "component", Fill: "#f3e5f5", add: addBrokers},
	{Name: "redis", Title: "Redis", Shape: "cylinder", Fill: "#ffebee", add: addRedis},
}

// kindOf returns the kinds entry called name (a zero kind for unknown).
func kindOf(name string) kind {
	for _, k := range kinds {
		if k.Name == name {
			return k
		}
	}
	return kind{Name: name, Title: name, Shape: "box", Fill: "#ffffff"}
}

func addIngresses(b *builder) {
	for i := range b.m.Services {
		s := &b.m.Services[i]
		in := s.Ingress
		if in == nil {
			continue
		}
		set := []Attr{{"host", in.Host + in.Path}, {"class", in.Class}}
		if in.TLS {
			set = append(set, Attr{"tls", cmp.Or(in.Issuer, "yes")})
		}
		if in.RateLimit > 0 {
			set = append(set, Attr{"rate limit", strconv.Itoa(in.RateLimit) + "/s"})
		}
		n := b.node("ingress", s.Name, in.Src, in, set)
		n.Namespace = b.m.Project.Namespace
		n.Origin = "" // part of the service's manifest: compared through the model
		b.edge(n.ID, "service."+s.Name, "host")
	}
}

func addGateways(b *builder) {
	for i := range b.m.Gateways {
		g := &b.m.Gateways[i]
		set := []Attr{{"class", g.Class}}
		var ls []string
		for _, l := range g.Listeners {
			ls = append(ls, fmt.Sprintf("%s %s:%d", l.Name, l.Protocol, l.Port))
		}
		set = append(set, Attr{"listeners", strings.Join(ls, ", ")})
		if g.Issuer != "" {
			set = append(set, Attr{"issuer", g.Issuer})
		}
		n := b.node("gateway", g.Name, g.Src, g, set)
		n.Namespace = cmp.Or(g.Namespace, b.m.Project.Namespace)
	}
}

// addRoutes draws a service's route block between its gateway and the
// services it sends to: one edge per weighted backend of a split, and one
// to the service that gets a mirrored copy.
func addRoutes(b *builder) {
	for i := range b.m.Services {
		s := &b.m.Services[i]
		r := s.Route
		if r == nil {
			continue
		}
		kind := "HTTPRoute"
		if r.GRPC {
			kind = "GRPCRoute"
		}
		set := []Attr{{"kind", kind}, {"hosts", strings.Join(r.Hosts, ", ")}}
		if !r.GRPC {
			set = append(set, Attr{"path", r.Path + " (" + r.PathType + ")"})
		}
		if r.TLS {
			set = append(set, Attr{"tls", r.TLSSecret})
		}
		if !r.Declared {
			set = append(set, Attr{"gateway", r.Gateway + " (existing, " + cmp.Or(r.GatewayNamespace, b.m.Project.Namespace) + ")"})
		}
		n := b.node("route", s.Name, r.Src, r, set)
		n.Namespace = b.m.Project.Namespace
		n.Origin = "" // part of the service's manifest: compared through the model
		if r.Declared {
			b.edge("gateway."+r.Gateway, n.ID, "attaches")
		}
		if len(r.Split) == 0 {
			b.edge(n.ID, "service."+s.Name, "backend")
		}
		for _, w := range r.Split {
			b.edge(n.ID, "service."+w.Service, "weight "+strconv.Itoa(w.Weight))
		}
		if r.Mirror != "" {
			b.edge(n.ID, "service."+r.Mirror, fmt.Sprintf("mirror %d%%", r.MirrorPercent))
		}
	}
}

func addLoadBalancers(b *builder) {
	for i := range b.m.LoadBalancers {
		lb := &b.m.LoadBalancers[i]
		set := []Attr{
			{"targets", strings.Join(lb.Targets, ", ")},
			{"listen", fmt.Sprintf(":%d %s", lb.Listen, lb.Mode)},
			{"algorithm", lb.Algorithm},
		}
		if len(lb.ServerNames) > 0 {
			set = append(set, Attr{"hosts", strings.Join(lb.ServerNames, ", ")})
		}
		if lb.TLS != nil {
			set = append(set, Attr{"tls", map[bool]string{true: "redirect http", false: "yes"}[lb.TLS.RedirectHTTP]})
		}
		if lb.Sticky != nil {
			set = append(set, Attr{"sticky", cmp.Or(lb.Sticky.Cookie, "client ip")})
		}
		if lb.RateLimit != nil {
			set = append(set, Attr{"rate limit", fmt.Sprintf("%d/s burst %d", lb.RateLimit.RequestsPerSecond, lb.RateLimit.Burst)})
		}
		n := b.node("load_balancer", lb.Name, lb.Src, lb, set)
		for j := range lb.Backends {
			be := &lb.Backends[j]
			bset := []Attr{{"address", be.Host + ":" + strconv.Itoa(be.Port)}, {"weight", strconv.Itoa(be.Weight)}}
			if be.Backup {
				bset = append(bset, Attr{"backup", "yes"})
			}
			bn := b.node("backend", lb.Name+"/"+be.Name, be.Src, be, bset)
			bn.Origin = ""
			b.edge(n.ID, bn.ID, "server")
		}
		if f := lb.BackendsFrom; f != nil {
			b.edge(n.ID, "service."+f.Service, "backends_from")
		}
	}
}

func addServices(b *builder) {
	for i := range b.m.Services {
		s := &b.m.Services[i]
		set := []Attr{{"image", s.Image}, {"port", fmt.Sprintf("%d %s", s.Port, s.Expose)}}
		if a := s.Autoscale; a != nil {
			set = append(set, Attr{"autoscale", autoscaleText(a)})
		} else {
			set = append(set, Attr{"replicas", strconv.Itoa(s.Replicas)})
		}
		if m := s.Metrics; m != nil {
			set = append(set, Attr{"metrics", fmt.Sprintf(":%d%s", m.Port, m.Path)})
		}
		n := b.node("service", s.Name, s.Src, s, set)
		n.Namespace = b.m.Project.Namespace
		for _, u := range s.Uses {
			b.edge(n.ID, u.String(), "uses")
		}
		if s.Autoscale != nil {
			// A KEDA trigger: the queue's backlog drives the replicas.
			for _, t := range s.Autoscale.Queues {
				b.edge("queue."+t.Queue, n.ID, fmt.Sprintf("scales (%d per replica)", t.Backlog))
			}
		}
	}
}

func autoscaleText(a *schema.Autoscale) string {
	t := fmt.Sprintf("%d..%d", a.Min, a.Max)
	var on []string
	if a.CPUPercent > 0 {
		on = append(on, fmt.Sprintf("cpu %d%%", a.CPUPercent))
	}
	if a.MemoryPercent > 0 {
		on = append(on, fmt.Sprintf("memory %d%%", a.MemoryPercent))
	}
	if len(a.Queues) > 0 {
		on = append(on, "queue backlog")
	}
	if len(on) > 0 {
		t += " (" + strings.Join(on, ", ") + ")"
	}
	return t
}

func addCaches(b *builder) {
	for i := range b.m.Caches {
		c := &b.m.Caches[i]
		var set []Attr
		if c.L1 != nil {
			set = append(set, Attr{"L1", fmt.Sprintf("%d entries, ttl %s", c.L1.MaxEntries, short(c.L1.TTL))})
		}
		if c.L2 != nil {
			set = append(set, Attr{"L2", fmt.Sprintf("redis %s, ttl %s, %s", c.L2.Redis, short(c.L2.TTL), c.L2.Compress)})
		}
		if c.NegativeTTL > 0 {
			set = append(set, Attr{"negative ttl", short(c.NegativeTTL)})
		}
		n := b.node("cache", c.Name, c.Src, c, set)
		if c.L2 != nil {
			b.edge(n.ID, "redis."+c.L2.Redis, "l2")
		}
	}
}

func addQueues(b *builder) {
	for i := range b.m.Queues {
		q := &b.m.Queues[i]
		set := []Attr{{"workers", strconv.Itoa(q.Workers)}}
		var traits []string
		if q.Priorities {
			traits = append(traits, "priorities")
		}
		if q.Ordering != "" && q.Ordering != "none" {
			traits = append(traits, q.Ordering)
		}
		if q.DeadLetter {
			traits = append(traits, "dead letter")
		}
		if q.QueueType != "" {
			traits = append(traits, q.QueueType)
		}
		if len(traits) > 0 {
			set = append(set, Attr{"traits", strings.Join(traits, ", ")})
		}
		set = append(set, Attr{"retry", fmt.Sprintf("%d x %s", q.Retry.MaxAttempts, q.Retry.Backoff)})
		n := b.node("queue", q.Name, q.Src, q, set)
		b.edge(n.ID, "broker."+q.Broker, "broker")
	}
}

func addBrokers(b *builder) {
	for i := range b.m.Brokers {
		br := &b.m.Brokers[i]
		set := []Attr{{"type", br.Type}}
		switch {
		case br.URLEnv != "":
			set = append(set, Attr{"url from", "$" + br.URLEnv})
		case len(br.Addresses) > 0:
			set = append(set, Attr{"addresses", strings.Join(br.Addresses, ", ")})
		}
		n := b.node("broker", br.Name, br.Src, br, set)
		if br.Redis != "" {
			b.edge(n.ID, "redis."+br.Redis, "redis")
		}
	}
}

func addRedis(b *builder) {
	for i := range b.m.Redis {
		r := &b.m.Redis[i]
		var set []Attr
		switch {
		case r.MasterName != "":
			set = append(set, Attr{"sentinel", r.MasterName + " @ " + strings.Join(r.Addresses, ", ")})
		case len(r.Addresses) > 1:
			set = append(set, Attr{"cluster", strings.Join(r.Addresses, ", ")})
		default:
			set = append(set, Attr{"address", strings.Join(r.Addresses, ", ")})
		}
		if r.URLEnv != "" {
			set = append(set, Attr{"url from", "$" + r.URLEnv})
		}
		if r.DB != 0 {
			set = append(set, Attr{"db", strconv.Itoa(r.DB)})
		}
		if r.TLS {
			set = append(set, Attr{"tls", "yes"})
		}
		b.node("redis", r.Name, r.Src, r, set)
	}
}

// short prints a duration the way it is written in HCL: "1h", not "1h0m0s".
func short(d schema.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
