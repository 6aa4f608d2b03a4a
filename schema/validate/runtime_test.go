package validate

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// runtimeModel is a valid model with one of each runtime block; each case
// breaks one thing.
func runtimeModel() *schema.Model {
	return &schema.Model{
		Version: schema.Version,
		Project: schema.Project{Name: "p", Namespace: "p"},
		Redis:   []schema.Redis{{Name: "main", Addresses: []string{"redis:6379"}}},
		Caches: []schema.Cache{{
			Name: "c",
			L1:   &schema.L1Cache{MaxEntries: 10, TTL: schema.Duration(time.Minute)},
			L2:   &schema.L2Cache{Redis: "main", TTL: schema.Duration(time.Hour), KeyPrefix: "c:", Compress: "zlib", CompressMin: 1024, Timeout: schema.Duration(100 * time.Millisecond)},
		}},
		Brokers: []schema.Broker{{Name: "b", Type: "rabbitmq", URLEnv: "AMQP_URL"}},
		Queues: []schema.Queue{{
			Name: "q", Broker: "b", Ordering: "none", Workers: 2, Prefetch: 4,
			Retry: schema.Retry{MaxAttempts: 5, Backoff: "exponential", Initial: schema.Duration(time.Second), Max: schema.Duration(time.Minute)},
		}},
	}
}

func TestRuntimeBlocks(t *testing.T) {
	cases := []struct {
		name    string
		break_  func(m *schema.Model)
		summary string // "" = no diagnostic at all
		warning bool
	}{
		{"valid", func(m *schema.Model) {}, "", false},
		{"redis without address", func(m *schema.Model) { m.Redis[0].Addresses = nil }, "Missing redis address", false},
		{"redis url_env only", func(m *schema.Model) { m.Redis[0].Addresses, m.Redis[0].URLEnv = nil, "REDIS_URL" }, "", false},
		{"redis bad address", func(m *schema.Model) { m.Redis[0].Addresses = []string{"redis"} }, "Invalid address", false},
		{"redis cluster db", func(m *schema.Model) { m.Redis[0].Addresses = []string{"a:1", "b:2"}; m.Redis[0].DB = 3 }, "Redis Cluster has only database 0", false},
		{"sentinel without addresses", func(m *schema.Model) {
			m.Redis[0].Addresses, m.Redis[0].URLEnv, m.Redis[0].MasterName = nil, "R", "mymaster"
		}, "Sentinel without addresses", false},
		{"bad env name", func(m *schema.Model) { m.Redis[0].PasswordEnv = "REDIS-PASSWORD" }, "Invalid environment variable name", false},
		{"cache without tiers", func(m *schema.Model) { m.Caches[0].L1, m.Caches[0].L2 = nil, nil }, "Cache without tiers", false},
		{"cache unknown redis", func(m *schema.Model) { m.Caches[0].L2.Redis = "other" }, "Reference to undeclared redis block", false},
		{"cache bad compress", func(m *schema.Model) { m.Caches[0].L2.Compress = "gzip" }, "Invalid value", false},
		{"unbounded l1", func(m *schema.Model) { m.Caches[0].L1.MaxEntries = 0 }, "Unbounded L1 cache", false},
		{"l1 outlives l2", func(m *schema.Model) { m.Caches[0].L1.TTL = schema.Duration(2 * time.Hour) }, "L1 outlives L2", true},
		{"shared prefix", func(m *schema.Model) {
			c := m.Caches[0]
			c.Name = "d"
			l2 := *c.L2
			c.L2 = &l2
			m.Caches = append(m.Caches, c)
		}, "Caches share a key prefix", false},
		{"broker bad type", func(m *schema.Model) { m.Brokers[0].Type = "nats" }, "Invalid value", false},
		{"rabbit without address", func(m *schema.Model) { m.Brokers[0].URLEnv = "" }, "Missing broker address", false},
		{"redis ref on rabbit", func(m *schema.Model) { m.Brokers[0].Redis = "main" }, "Redis reference on a non-Redis broker", false},
		{"redis broker", func(m *schema.Model) { m.Brokers[0] = schema.Broker{Name: "b", Type: "redis", Redis: "main"} }, "", false},
		{"redis broker unknown redis", func(m *schema.Model) { m.Brokers[0] = schema.Broker{Name: "b", Type: "redis", Redis: "x"} }, "Reference to undeclared redis block", false},
		{"sqs without url", func(m *schema.Model) { m.Brokers[0] = schema.Broker{Name: "b", Type: "sqs"} }, "Missing queue URL", false},
		{"memory with address", func(m *schema.Model) {
			m.Brokers[0] = schema.Broker{Name: "b", Type: "memory", Addresses: []string{"a:1"}}
		}, "Address ignored", true},
		{"queue unknown broker", func(m *schema.Model) { m.Queues[0].Broker = "x" }, "Reference to undeclared broker", false},
		{"queue bad name", func(m *schema.Model) { m.Queues[0].Name = "a queue" }, "Invalid queue name", false},
		{"queue no workers", func(m *schema.Model) { m.Queues[0].Workers = 0 }, "Value out of range", false},
		{"idle workers", func(m *schema.Model) { m.Queues[0].Prefetch = 1 }, "Idle workers", true},
		{"retry delays", func(m *schema.Model) { m.Queues[0].Retry.Initial = schema.Duration(time.Hour) }, "Invalid retry delays", false},
		{"retry backoff", func(m *schema.Model) { m.Queues[0].Retry.Backoff = "linear" }, "Invalid value", false},
		{"visibility timeout too long", func(m *schema.Model) {
			m.Brokers[0] = schema.Broker{Name: "b", Type: "redis", Redis: "main"}
			m.Queues[0].VisibilityTimeout = schema.Duration(13 * time.Hour)
		}, "Value out of range", false},
		{"visibility timeout too short", func(m *schema.Model) { m.Queues[0].VisibilityTimeout = schema.Duration(time.Millisecond) }, "Value out of range", false},
		{"visibility timeout on redis", func(m *schema.Model) {
			m.Brokers[0] = schema.Broker{Name: "b", Type: "redis", Redis: "main"}
			m.Queues[0].VisibilityTimeout = schema.Duration(2 * time.Minute)
		}, "", false},
		{"visibility timeout under shutdown timeout", func(m *schema.Model) {
			m.Brokers[0] = schema.Broker{Name: "b", Type: "redis", Redis: "main"}
			m.Queues[0].VisibilityTimeout = schema.Duration(10 * time.Second)
			m.Queues[0].ShutdownTimeout = schema.Duration(30 * time.Second)
		}, "Visibility timeout shorter than the shutdown timeout", true},
		{"visibility timeout on rabbitmq", func(m *schema.Model) { m.Queues[0].VisibilityTimeout = schema.Duration(2 * time.Minute) }, "visibility_timeout is ignored by this broker", true},
		{"sqs priorities", func(m *schema.Model) {
			m.Brokers[0] = schema.Broker{Name: "b", Type: "sqs", URLEnv: "SQS"}
			m.Queues[0].Priorities = true
		}, "Priorities not supported by the broker", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := runtimeModel()
			c.break_(m)
			diags := runtimeBlocks(m)
			if c.summary == "" {
				if len(diags) > 0 {
					t.Fatalf("unexpected diagnostics: %v", diags)
				}
				return
			}
			if len(diags) != 1 {
				t.Fatalf("want one diagnostic %q, got %v", c.summary, diags)
			}
			d := diags[0]
			if !strings.Contains(d.Summary, c.summary) || (d.Severity == hcl.DiagWarning) != c.warning {
				t.Errorf("got %v %q, want %q (warning %v)", d.Severity, d.Summary, c.summary, c.warning)
			}
		})
	}
}

// TestRuntimeDiagnosticRange checks that a diagnostic points at the
// attribute's recorded range.
func TestRuntimeDiagnosticRange(t *testing.T) {
	m := runtimeModel()
	r := hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: 7, Column: 3}, End: hcl.Pos{Line: 7, Column: 9}}
	m.Queues[0].Src.Set("workers", r)
	m.Queues[0].Workers = 0
	diags := runtimeBlocks(m)
	if len(diags) != 1 || diags[0].Subject == nil || *diags[0].Subject != r {
		t.Fatalf("diagnostics %v, want one at %v", diags, r)
	}
}
