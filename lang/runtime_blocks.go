package lang

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/nbac/nbac/schema"
)

var redisSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "address"}, {Name: "addresses"}, {Name: "master_name"}, {Name: "db"},
	{Name: "url_env"}, {Name: "password_env"}, {Name: "tls"},
}}

func (l *loader) lowerRedis(blk *hcl.Block) schema.Redis {
	r := schema.Redis{Name: blk.Labels[0]}
	r.Src.Block = blk.DefRange
	b, ok := l.open(blk.Body, redisSchema, &r.Src, schema.Describe("redis", r.Name))
	if !ok {
		return r
	}
	if one, many := b.c.Attributes["address"], b.c.Attributes["addresses"]; one != nil && many != nil {
		b.errorAt(many.Expr.Range(), "Conflicting arguments",
			fmt.Sprintf("%s sets both address and addresses; use address for one node, addresses for a cluster or sentinels.", b.what))
	} else if one != nil {
		if a := b.str("address", ""); a != "" {
			r.Addresses = []string{a}
		}
	} else {
		r.Addresses = b.strings("addresses")
	}
	for i, a := range r.Addresses {
		attr := b.c.Attributes["address"]
		if attr == nil {
			attr = b.c.Attributes["addresses"]
		}
		if _, _, ok := b.hostPort(attr, a); !ok {
			r.Addresses = r.Addresses[:i]
			break
		}
	}
	r.MasterName = b.str("master_name", "")
	r.DB = b.integer("db", 0, 0, 15)
	r.URLEnv = b.str("url_env", "")
	r.PasswordEnv = b.str("password_env", "")
	r.TLS = b.boolean("tls", false)
	if b.c.Attributes["address"] == nil && b.c.Attributes["addresses"] == nil && b.c.Attributes["url_env"] == nil {
		b.errorAt(blk.DefRange, "Missing redis address",
			fmt.Sprintf("%s needs address = \"host:port\", addresses = [...] or url_env = \"NAME\" (an environment variable holding a redis:// URL).", b.what))
	}
	return r
}

// hostPort checks "host:port" (port 1..65535) and splits it.
func (b *body) hostPort(a *hcl.Attribute, s string) (string, int, bool) {
	host, port, err := net.SplitHostPort(s)
	n, perr := strconv.Atoi(port)
	if err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
		b.errorAt(a.Expr.Range(), "Invalid address",
			fmt.Sprintf("%s in %s: %q is not host:port with a port from 1 to 65535, e.g. \"10.0.1.10:8000\" or \"redis:6379\".", a.Name, b.what, s))
		return "", 0, false
	}
	return host, n, true
}

var cacheSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "negative_ttl"}, {Name: "warm"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "l1"}, {Type: "l2"}, {Type: "alerts"}},
}

var l1Schema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "max_entries"}, {Name: "max_bytes"}, {Name: "ttl"}, {Name: "jitter"},
}}

var l2Schema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "redis", Required: true}, {Name: "ttl"}, {Name: "key_prefix"}, {Name: "compress"},
	{Name: "compress_min"}, {Name: "invalidate"}, {Name: "timeout"},
}}

func (l *loader) lowerCache(blk *hcl.Block) schema.Cache {
	c := schema.Cache{Name: blk.Labels[0]}
	c.Src.Block = blk.DefRange
	b, ok := l.open(blk.Body, cacheSchema, &c.Src, schema.Describe("cache", c.Name))
	if !ok {
		return c
	}
	c.NegativeTTL = b.duration("negative_ttl", 0, 0)
	c.Warm = b.strings("warm")
	c.Alerts = l.lowerCacheAlerts(b.single("alerts"), c.Name)
	l1, l2 := b.single("l1"), b.single("l2")
	if l1 == nil && l2 == nil && !b.partial {
		b.errorAt(blk.DefRange, "Cache without tiers",
			fmt.Sprintf("%s needs an l1 {} block (in-process), an l2 {} block (Redis), or both.", b.what))
	}
	if l1 != nil {
		t := &schema.L1Cache{}
		t.Src.Block = l1.DefRange
		lb, _ := l.open(l1.Body, l1Schema, &t.Src, fmt.Sprintf("l1 of cache %q", c.Name))
		t.MaxBytes = lb.bytes("max_bytes")
		defEntries := 10000 // a byte bound alone is enough; otherwise bound by count
		if lb.c.Attributes["max_bytes"] != nil {
			defEntries = 0
		}
		t.MaxEntries = lb.integer("max_entries", defEntries, 0, 1<<30)
		t.TTL = lb.duration("ttl", 5*time.Minute, time.Millisecond)
		t.Jitter = lb.number("jitter", 0, 0, 0.5)
		if t.MaxEntries == 0 && t.MaxBytes == 0 {
			lb.errorAt(l1.DefRange, "Unbounded L1 cache", fmt.Sprintf("%s needs max_entries or max_bytes above 0.", lb.what))
		}
		c.L1 = t
	}
	if l2 != nil {
		t := &schema.L2Cache{}
		t.Src.Block = l2.DefRange
		lb, _ := l.open(l2.Body, l2Schema, &t.Src, fmt.Sprintf("l2 of cache %q", c.Name))
		t.Redis = lb.ref("redis", "redis")
		t.TTL = lb.duration("ttl", time.Hour, time.Second)
		t.KeyPrefix = lb.str("key_prefix", c.Name+":")
		t.Compress = lb.enum("compress", "none", "none", "zlib", "zstd", "s2")
		t.CompressMin = lb.integer("compress_min", 1024, 0, 1<<30)
		t.Invalidate = lb.boolean("invalidate", l1 != nil)
		t.Timeout = lb.duration("timeout", 100*time.Millisecond, time.Millisecond)
		c.L2 = t
	}
	return c
}

// bytes reads a size: a whole number of bytes or a quantity string
// ("64Mi").
func (b *body) bytes(name string) int64 {
	v, a, ok := b.value(name)
	if !ok {
		return 0
	}
	if v.Type() == cty.String {
		q, err := resource.ParseQuantity(v.AsString())
		if err != nil || q.Sign() < 0 {
			b.errorAt(a.Expr.Range(), "Invalid quantity",
				fmt.Sprintf("%s in %s: %q is not a size. Write bytes as a number or a quantity such as \"64Mi\".", name, b.what, v.AsString()))
			return 0
		}
		return q.Value()
	}
	nv, err := convert.Convert(v, cty.Number)
	if err != nil {
		b.typeError(a, "a number of bytes or a quantity such as \"64Mi\"", err)
		return 0
	}
	n, ok := b.toInt(a, nv, 0, 1<<40)
	if !ok {
		return 0
	}
	return int64(n)
}

var brokerSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "type", Required: true}, {Name: "addresses"}, {Name: "url_env"}, {Name: "redis"},
}}

var brokerTypes = []string{"rabbitmq", "kafka", "redis", "memory", "sqs"}

func (l *loader) lowerBroker(blk *hcl.Block) schema.Broker {
	br := schema.Broker{Name: blk.Labels[0]}
	br.Src.Block = blk.DefRange
	b, ok := l.open(blk.Body, brokerSchema, &br.Src, schema.Describe("broker", br.Name))
	if !ok {
		return br
	}
	br.Type = b.enum("type", "", brokerTypes...)
	br.Addresses = b.strings("addresses")
	for i, a := range br.Addresses {
		if _, _, ok := b.hostPort(b.c.Attributes["addresses"], a); !ok {
			br.Addresses = br.Addresses[:i]
			break
		}
	}
	br.URLEnv = b.str("url_env", "")
	br.Redis = b.ref("redis", "redis")
	return br
}

var queueSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "broker", Required: true}, {Name: "priorities"}, {Name: "ordering"}, {Name: "workers"},
		{Name: "prefetch"}, {Name: "dead_letter"}, {Name: "max_delay"}, {Name: "shutdown_timeout"},
		{Name: "queue_type"},
		{Name: "visibility_timeout"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "retry"}, {Type: "alerts"}},
}

var retrySchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "max_attempts"}, {Name: "backoff"}, {Name: "initial"}, {Name: "max"}, {Name: "jitter"},
}}

func (l *loader) lowerQueue(blk *hcl.Block) schema.Queue {
	q := schema.Queue{Name: blk.Labels[0]}
	q.Src.Block = blk.DefRange
	b, ok := l.open(blk.Body, queueSchema, &q.Src, schema.Describe("queue", q.Name))
	if !ok {
		return q
	}
	q.Broker = b.ref("broker", "broker")
	q.Priorities = b.boolean("priorities", false)
	q.Ordering = b.enum("ordering", "none", "none", "fifo")
	q.Workers = b.integer("workers", 1, 1, 1024)
	q.Prefetch = b.integer("prefetch", 2*q.Workers, 1, 65535)
	q.DeadLetter = b.boolean("dead_letter", true)
	q.MaxDelay = b.duration("max_delay", 0, 0)
	q.ShutdownTimeout = b.duration("shutdown_timeout", 30*time.Second, 0)
	// Left empty when unset, so that only a written queue_type is checked
	// against the broker's type; the driver reads empty as classic.
	q.QueueType = b.enum("queue_type", "", "classic", "quorum")
	// Left out, it stays 0: the runtime's default (1m). The upper bound
	// is checked in schema/validate, which model.json goes through too.
	q.VisibilityTimeout = b.duration("visibility_timeout", 0, time.Second)

	q.Alerts = l.lowerQueueAlerts(b.single("alerts"), q.Name)
	q.Retry = schema.Retry{MaxAttempts: 5, Backoff: "exponential", Initial: schema.Duration(time.Second), Max: schema.Duration(time.Minute), Jitter: true}
	q.Retry.Src.Block = blk.DefRange
	if rb := b.single("retry"); rb != nil {
		r := &q.Retry
		r.Src.Block = rb.DefRange
		bb, _ := l.open(rb.Body, retrySchema, &r.Src, fmt.Sprintf("retry of queue %q", q.Name))
		r.MaxAttempts = bb.integer("max_attempts", 5, 1, 1000)
		r.Backoff = bb.enum("backoff", "exponential", "exponential", "constant")
		r.Initial = bb.duration("initial", time.Second, time.Millisecond)
		r.Max = bb.duration("max", time.Minute, time.Millisecond)
		r.Jitter = bb.boolean("jitter", true)
		if r.Initial > r.Max {
			bb.errorAt(*r.Src.Range("initial"), "Retry delay above its maximum",
				fmt.Sprintf("%s waits initial = %s, more than max = %s; initial must not exceed max.", bb.what, r.Initial, r.Max))
		}
	}
	return q
}
