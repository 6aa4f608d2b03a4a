package estate

import (
	"fmt"
	"math/rand/v2"
)

// Estate is a generated configuration with every expression already
// evaluated: the values nbac's compiler must arrive at from the HCL.
type Estate struct {
	N           int
	Seed        uint64
	Project     string
	Namespace   string
	Environment string
	Registry    string
	ImageTag    string
	Domain      string
	Services    []Service
	LBs         []LoadBalancer
	Caches      []Cache
	Queues      []Queue
}

// Size is one resource tier (a variable in the configuration).
type Size struct {
	Name                                             string
	CPURequest, CPULimit, MemoryRequest, MemoryLimit string
}

// Sizes are the tiers services are spread over.
var Sizes = []Size{
	{"small", "100m", "500m", "128Mi", "256Mi"},
	{"medium", "250m", "1", "256Mi", "512Mi"},
	{"large", "500m", "2", "512Mi", "1Gi"},
}

// Service is one service block, resolved.
type Service struct {
	Name      string
	Tier      string // a label value
	Size      Size
	Image     string
	Port      int
	Replicas  int
	Env       map[string]string // merged with the common env
	ExtraEnv  map[string]string // the service's own keys (as written)
	Secrets   []SecretRef       // sorted by Env
	Readiness string            // readiness probe path
	Autoscale *Autoscale
	Ingress   *Ingress
	Uses      []string // "cache.NAME" / "queue.NAME", sorted
	NetPolicy bool
}

// SecretRef is a secret_env block.
type SecretRef struct{ Env, Secret, Key string }

// Autoscale is an autoscale block.
type Autoscale struct{ Min, Max, CPU int }

// Ingress is an ingress block.
type Ingress struct {
	Host   string
	TLS    bool
	Issuer string
}

// LoadBalancer is a load_balancer block.
type LoadBalancer struct {
	Name      string
	Targets   []string
	Mode      string
	Listen    int
	Algorithm string
	Backends  []Backend
	Health    string // "http", "https", "tcp" or "" for none
	TLS       bool
	HSTS      bool
	Sticky    string // "cookie", "client_ip" or ""
	RateLimit int
	Timeouts  bool
	Stats     bool
	MaxConn   int
}

// Backend is a backend block.
type Backend struct {
	Name    string
	Address string
	Weight  int
	Backup  bool
	MaxConn int
}

// Cache is a cache block (L1 + L2 on the one redis block).
type Cache struct {
	Name       string
	Entries    int
	TTL, L2TTL string
}

// Queue is a queue block on one of the two brokers.
type Queue struct {
	Name     string
	Broker   string
	Workers  int
	Priority bool
	FIFO     bool
}

var (
	tiers      = []string{"api", "worker", "web", "batch"}
	algorithms = []string{"round_robin", "least_connections", "ip_hash", "weighted_round_robin"}
	envKeys    = []string{"FEATURE_FLAGS", "UPSTREAM_URL", "TIMEOUT_MS", "POOL_SIZE", "REGION", "CACHE_TTL"}
)

// Generate builds the estate for n services from seed.
func Generate(n int, seed uint64) *Estate {
	r := rand.New(rand.NewPCG(seed, uint64(n)))
	e := &Estate{
		N: n, Seed: seed,
		Project: "estate", Namespace: "estate", Environment: "production",
		Registry: "registry.example.com/estate", ImageTag: "v1.4.2",
	}
	e.Domain = e.Environment + ".example.com"
	nc := max(1, n/20)
	for i := range nc {
		e.Caches = append(e.Caches, Cache{
			Name: fmt.Sprintf("cache_%04d", i), Entries: 1000 * (1 + r.IntN(10)),
			TTL: []string{"30s", "1m", "5m"}[r.IntN(3)], L2TTL: []string{"10m", "1h"}[r.IntN(2)],
		})
	}
	nq := max(1, n/20)
	for i := range nq {
		e.Queues = append(e.Queues, Queue{
			Name: fmt.Sprintf("queue_%04d", i), Broker: []string{"rabbit", "jobs"}[i%2],
			Workers: 1 + r.IntN(8), Priority: r.IntN(3) == 0, FIFO: r.IntN(4) == 0,
		})
	}
	common := map[string]string{"ENVIRONMENT": e.Environment, "LOG_LEVEL": "INFO"}
	for i := range n {
		name := fmt.Sprintf("svc-%04d", i)
		s := Service{
			Name: name, Tier: tiers[r.IntN(len(tiers))], Size: Sizes[r.IntN(len(Sizes))],
			Image: e.Registry + "/" + name + ":" + e.ImageTag,
			Port:  []int{8080, 8000, 9000}[r.IntN(3)], Replicas: 1 + r.IntN(4),
			Readiness: "/ready", NetPolicy: r.IntN(2) == 0,
			ExtraEnv: map[string]string{"SERVICE_NAME": name},
		}
		for _, k := range envKeys[:1+r.IntN(len(envKeys))] {
			s.ExtraEnv[k] = fmt.Sprintf("%s-%d", k[:3], r.IntN(1000))
		}
		s.Env = map[string]string{}
		for k, v := range common {
			s.Env[k] = v
		}
		for k, v := range s.ExtraEnv {
			s.Env[k] = v
		}
		s.Secrets = []SecretRef{{"DB_PASSWORD", name + "-db", "password"}}
		if r.IntN(2) == 0 {
			s.Secrets = append(s.Secrets, SecretRef{"API_TOKEN", name + "-api", "token"})
		}
		if r.IntN(4) != 0 {
			lo := 2 + r.IntN(3)
			s.Autoscale = &Autoscale{Min: lo, Max: lo + 2 + r.IntN(10), CPU: 60 + 5*r.IntN(5)}
		}
		if r.IntN(3) != 0 {
			s.Ingress = &Ingress{Host: name + "." + e.Domain, TLS: r.IntN(4) != 0}
			if s.Ingress.TLS {
				s.Ingress.Issuer = "letsencrypt-prod"
			}
		}
		if r.IntN(3) == 0 {
			s.Uses = append(s.Uses, "cache."+e.Caches[r.IntN(nc)].Name)
		}
		if r.IntN(3) == 0 {
			s.Uses = append(s.Uses, "queue."+e.Queues[r.IntN(nq)].Name)
		}
		e.Services = append(e.Services, s)
	}
	for i := range max(1, n/5) {
		e.LBs = append(e.LBs, genLB(r, i))
	}
	return e
}

// genLB makes load balancer i. Features rotate with i so that any estate
// of five or more load balancers uses every one of them; the combinations
// stay within what both targets accept (no backup server where Nginx
// balances by hash, cookies only in HTTP mode).
func genLB(r *rand.Rand, i int) LoadBalancer {
	lb := LoadBalancer{
		Name: fmt.Sprintf("lb_%04d", i), Targets: []string{"haproxy", "nginx"},
		Mode: "http", Listen: 8000 + i%1000, Algorithm: algorithms[i%len(algorithms)],
		Health: []string{"http", "https", "http", "tcp"}[i%4],
		TLS:    i%2 == 0, HSTS: i%4 == 0, Timeouts: i%3 == 0, Stats: i%2 == 1,
		MaxConn: []int{0, 2000, 10000}[i%3],
	}
	switch i % 5 {
	case 1:
		lb.Sticky = "cookie"
		lb.Targets = []string{"haproxy"}
	case 3:
		lb.Sticky = "client_ip"
	}
	if i%7 == 6 {
		lb.Mode, lb.Health, lb.HSTS, lb.Sticky = "tcp", "tcp", false, ""
	}
	if lb.Mode == "http" && i%2 == 0 {
		lb.RateLimit = 100 * (1 + r.IntN(50))
	}
	nb := 3 + r.IntN(8)
	hashed := lb.Algorithm == "ip_hash" || lb.Sticky != ""
	for j := range nb {
		b := Backend{
			Name:    fmt.Sprintf("app%d", j+1),
			Address: fmt.Sprintf("10.%d.%d.%d:%d", 1+i/250, i%250, 10+j, 8080),
			Weight:  []int{100, 50, 200, 100}[j%4],
		}
		if j == nb-1 && !hashed {
			b.Backup = true
		}
		if j%3 == 0 {
			b.MaxConn = 500
		}
		lb.Backends = append(lb.Backends, b)
	}
	return lb
}
