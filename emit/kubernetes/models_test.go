package kubernetes

import (
	"time"

	"github.com/nbac/nbac/schema"
)

// Test models are built directly in Go, so these tests do not depend on
// the HCL front-end.

func baseModel(services ...schema.Service) *schema.Model {
	return &schema.Model{
		Version:  schema.Version,
		Project:  schema.Project{Name: "nba-mcp", Namespace: "nba-mcp", Labels: map[string]string{"team": "data"}},
		Services: services,
	}
}

func minimalService() schema.Service {
	return schema.Service{
		Name:     "web",
		Image:    "nginxinc/nginx-unprivileged:1.27",
		Port:     8080,
		Replicas: 1,
	}
}

// nbaService mirrors the seed estate: 3 replicas, HPA 3..10 at 70% CPU,
// TLS ingress on nginx, a cache and a queue in use.
func nbaService() schema.Service {
	return schema.Service{
		Name:     "nba-mcp-server",
		Image:    "registry.example.com/nba-mcp:v1.0.0",
		Port:     8000,
		Expose:   "ClusterIP",
		Replicas: 3,
		Env:      map[string]string{"LOG_LEVEL": "info", "APP_ENV": "production"},
		SecretEnv: []schema.SecretEnv{
			{Name: "DB_PASSWORD", Secret: "nba-db", Key: "password"},
			{Name: "API_TOKEN", Secret: "nba-api", Key: "token"},
		},
		Resources: schema.Resources{CPURequest: "200m", CPULimit: "1000m", MemoryRequest: "512Mi", MemoryLimit: "1Gi"},
		Probes: []schema.Probe{
			{Kind: "liveness", Type: "http", Path: "/health"},
			{Kind: "readiness", Type: "http", Path: "/ready", Period: schema.Duration(5 * time.Second)},
		},
		Autoscale: &schema.Autoscale{Min: 3, Max: 10, CPUPercent: 70},
		Ingress:   &schema.Ingress{Host: "nba-mcp.example.com", Path: "/", Class: "nginx", TLS: true, Issuer: "letsencrypt", RateLimit: 50},
		Uses:      []schema.Ref{{Kind: "cache", Name: "player_stats"}, {Kind: "queue", Name: "nba_data_ingestion"}},
	}
}

func nbaModel() *schema.Model {
	m := baseModel(nbaService())
	m.Redis = []schema.Redis{{Name: "main", Addresses: []string{"redis:6379"}, URLEnv: "REDIS_URL"}}
	m.Caches = []schema.Cache{{
		Name: "player_stats",
		L1:   &schema.L1Cache{MaxEntries: 1000, TTL: schema.Duration(5 * time.Minute)},
		L2:   &schema.L2Cache{Redis: "main", TTL: schema.Duration(time.Hour), KeyPrefix: "player_stats:", Compress: "zlib", CompressMin: 1024, Timeout: schema.Duration(100 * time.Millisecond)},
	}}
	m.Brokers = []schema.Broker{{Name: "rabbit", Type: "rabbitmq", URLEnv: "AMQP_URL"}}
	m.Queues = []schema.Queue{{
		Name: "nba_data_ingestion", Broker: "rabbit", Priorities: true, Ordering: "fifo", Workers: 8, Prefetch: 16,
		Retry:      schema.Retry{MaxAttempts: 5, Backoff: "exponential", Initial: schema.Duration(time.Second), Max: schema.Duration(time.Minute), Jitter: true},
		DeadLetter: true, ShutdownTimeout: schema.Duration(30 * time.Second),
	}}
	return m
}
