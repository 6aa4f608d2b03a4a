package validate

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// runtimeBlocks checks redis, cache, broker and queue blocks: what the Go
// runtime would otherwise discover only when it connects (a missing
// address, a reference to an undeclared block, two caches writing the same
// Redis keys) or never (a queue name a broker would mangle).
func runtimeBlocks(m *schema.Model) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for i := range m.Redis {
		diags = append(diags, redis(&m.Redis[i])...)
	}
	prefixes := map[string]string{} // redis + "\x00" + prefix -> cache
	for i := range m.Caches {
		c := &m.Caches[i]
		diags = append(diags, cache(m, c)...)
		if c.L2 != nil {
			k := c.L2.Redis + "\x00" + c.L2.KeyPrefix
			if other, ok := prefixes[k]; ok {
				diags = append(diags, errorAt(c.L2.Src, "key_prefix", "Caches share a key prefix",
					fmt.Sprintf("cache %q and cache %q both store keys under %q in redis %q, so they would read and invalidate each other's entries. Give one of them another key_prefix.", other, c.Name, c.L2.KeyPrefix, c.L2.Redis)))
			} else {
				prefixes[k] = c.Name
			}
		}
	}
	for i := range m.Brokers {
		diags = append(diags, broker(m, &m.Brokers[i])...)
	}
	for i := range m.Queues {
		diags = append(diags, queue(m, &m.Queues[i])...)
	}
	return diags
}

func redis(r *schema.Redis) hcl.Diagnostics {
	var diags hcl.Diagnostics
	what := schema.Describe("redis", r.Name)
	if len(r.Addresses) == 0 && r.URLEnv == "" {
		diags = append(diags, errorAt(r.Src, "address", "Missing redis address",
			fmt.Sprintf("%s needs address, addresses or url_env.", what)))
	}
	for _, a := range r.Addresses {
		if !hostPortOK(a) {
			attr := "addresses"
			if r.Src.Has("address") {
				attr = "address"
			}
			diags = append(diags, errorAt(r.Src, attr, "Invalid address",
				fmt.Sprintf("%s: %q is not host:port with a port from 1 to 65535.", what, a)))
		}
	}
	if r.MasterName != "" && len(r.Addresses) == 0 {
		diags = append(diags, errorAt(r.Src, "master_name", "Sentinel without addresses",
			fmt.Sprintf("%s sets master_name, so addresses must list the Sentinels.", what)))
	}
	if r.MasterName == "" && len(r.Addresses) > 1 && r.DB != 0 {
		diags = append(diags, errorAt(r.Src, "db", "Redis Cluster has only database 0",
			fmt.Sprintf("%s lists several addresses (a Redis Cluster), where SELECT is not supported; remove db or use one address.", what)))
	}
	if r.DB < 0 || r.DB > 15 {
		diags = append(diags, errorAt(r.Src, "db", "Value out of range", fmt.Sprintf("db in %s must be from 0 to 15.", what)))
	}
	if r.URLEnv != "" {
		diags = append(diags, checkEnvName(r.Src, "url_env", r.URLEnv)...)
	}
	if r.PasswordEnv != "" {
		diags = append(diags, checkEnvName(r.Src, "password_env", r.PasswordEnv)...)
	}
	return diags
}

func cache(m *schema.Model, c *schema.Cache) hcl.Diagnostics {
	var diags hcl.Diagnostics
	what := schema.Describe("cache", c.Name)
	if c.L1 == nil && c.L2 == nil {
		diags = append(diags, errorAt(c.Src, "", "Cache without tiers", fmt.Sprintf("%s needs an l1 block, an l2 block, or both.", what)))
	}
	if c.NegativeTTL < 0 {
		diags = append(diags, errorAt(c.Src, "negative_ttl", "Value out of range", fmt.Sprintf("negative_ttl in %s must not be negative.", what)))
	}
	if l1 := c.L1; l1 != nil {
		if l1.MaxEntries <= 0 && l1.MaxBytes <= 0 {
			diags = append(diags, errorAt(l1.Src, "max_entries", "Unbounded L1 cache", fmt.Sprintf("l1 of %s needs max_entries or max_bytes above 0.", what)))
		}
		if l1.TTL <= 0 {
			diags = append(diags, errorAt(l1.Src, "ttl", "Value out of range", fmt.Sprintf("ttl in l1 of %s must be positive.", what)))
		}
		if l1.Jitter < 0 || l1.Jitter > 0.5 {
			diags = append(diags, errorAt(l1.Src, "jitter", "Value out of range", fmt.Sprintf("jitter in l1 of %s must be from 0 to 0.5.", what)))
		}
	}
	if l2 := c.L2; l2 != nil {
		if m.RedisNamed(l2.Redis) == nil {
			diags = append(diags, errorAt(l2.Src, "redis", "Reference to undeclared redis block",
				fmt.Sprintf("l2 of %s uses redis %q, which is not declared.", what, l2.Redis)))
		}
		if l2.TTL <= 0 {
			diags = append(diags, errorAt(l2.Src, "ttl", "Value out of range", fmt.Sprintf("ttl in l2 of %s must be positive.", what)))
		}
		if !inSet(l2.Compress, "none", "zlib", "zstd", "s2") {
			diags = append(diags, errorAt(l2.Src, "compress", "Invalid value", fmt.Sprintf("compress in l2 of %s must be none, zlib, zstd or s2; got %q.", what, l2.Compress)))
		}
		if l2.Timeout <= 0 {
			diags = append(diags, errorAt(l2.Src, "timeout", "Value out of range", fmt.Sprintf("timeout in l2 of %s must be positive.", what)))
		}
		if l2.CompressMin < 0 {
			diags = append(diags, errorAt(l2.Src, "compress_min", "Value out of range", fmt.Sprintf("compress_min in l2 of %s must not be negative.", what)))
		}
		if c.L1 != nil && c.L1.TTL > l2.TTL && l2.TTL > 0 {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "L1 outlives L2",
				Detail:  fmt.Sprintf("%s keeps entries in l1 for %s but in l2 only for %s, so instances can serve values that Redis already expired.", what, c.L1.TTL, l2.TTL),
				Subject: c.L1.Src.Range("ttl")})
		}
	}
	return diags
}

func broker(m *schema.Model, b *schema.Broker) hcl.Diagnostics {
	var diags hcl.Diagnostics
	what := schema.Describe("broker", b.Name)
	if !inSet(b.Type, "rabbitmq", "kafka", "redis", "memory", "sqs") {
		diags = append(diags, errorAt(b.Src, "type", "Invalid value",
			fmt.Sprintf("type in %s must be rabbitmq, kafka, redis, memory or sqs; got %q.", what, b.Type)))
		return diags
	}
	for _, a := range b.Addresses {
		if !hostPortOK(a) {
			diags = append(diags, errorAt(b.Src, "addresses", "Invalid address", fmt.Sprintf("%s: %q is not host:port with a port from 1 to 65535.", what, a)))
		}
	}
	if b.URLEnv != "" {
		diags = append(diags, checkEnvName(b.Src, "url_env", b.URLEnv)...)
	}
	if b.Redis != "" && b.Type != "redis" {
		diags = append(diags, errorAt(b.Src, "redis", "Redis reference on a non-Redis broker",
			fmt.Sprintf("%s is of type %q; redis = redis.NAME applies only to type = \"redis\".", what, b.Type)))
	}
	if b.Redis != "" && m.RedisNamed(b.Redis) == nil {
		diags = append(diags, errorAt(b.Src, "redis", "Reference to undeclared redis block", fmt.Sprintf("%s uses redis %q, which is not declared.", what, b.Redis)))
	}
	switch b.Type {
	case "rabbitmq", "kafka":
		if len(b.Addresses) == 0 && b.URLEnv == "" {
			diags = append(diags, errorAt(b.Src, "type", "Missing broker address",
				fmt.Sprintf("%s (%s) needs addresses = [\"host:port\"] or url_env = \"NAME\".", what, b.Type)))
		}
	case "redis":
		if b.Redis == "" && len(b.Addresses) == 0 && b.URLEnv == "" {
			diags = append(diags, errorAt(b.Src, "type", "Missing broker address",
				fmt.Sprintf("%s (redis) needs redis = redis.NAME, addresses or url_env.", what)))
		}
	case "sqs":
		if b.URLEnv == "" {
			diags = append(diags, errorAt(b.Src, "type", "Missing queue URL", fmt.Sprintf("%s (sqs) needs url_env naming a variable that holds the queue URL prefix.", what)))
		}
	case "memory":
		if len(b.Addresses) > 0 || b.URLEnv != "" {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Address ignored",
				Detail: fmt.Sprintf("%s is in-process (type memory); its addresses and url_env are ignored.", what), Subject: b.Src.Range("type")})
		}
	}
	return diags
}

// queueName is what every broker accepts unchanged as a queue, topic or
// stream name (Kafka's topic alphabet is the narrowest).
var queueName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,200}$`)

func queue(m *schema.Model, q *schema.Queue) hcl.Diagnostics {
	var diags hcl.Diagnostics
	what := schema.Describe("queue", q.Name)
	if !queueName.MatchString(q.Name) {
		diags = append(diags, errorAt(q.Src, "", "Invalid queue name",
			fmt.Sprintf("%q is used as a RabbitMQ queue, Kafka topic and Redis stream name, so it may hold only letters, digits, '.', '_' and '-' (at most 200).", q.Name)))
	}
	br := m.Broker(q.Broker)
	if br == nil {
		diags = append(diags, errorAt(q.Src, "broker", "Reference to undeclared broker", fmt.Sprintf("%s uses broker %q, which is not declared.", what, q.Broker)))
	}
	if !inSet(q.Ordering, "none", "fifo") {
		diags = append(diags, errorAt(q.Src, "ordering", "Invalid value", fmt.Sprintf("ordering in %s must be none or fifo; got %q.", what, q.Ordering)))
	}
	if q.Workers < 1 {
		diags = append(diags, errorAt(q.Src, "workers", "Value out of range", fmt.Sprintf("workers in %s must be at least 1.", what)))
	}
	if q.Prefetch < 1 {
		diags = append(diags, errorAt(q.Src, "prefetch", "Value out of range", fmt.Sprintf("prefetch in %s must be at least 1.", what)))
	} else if q.Prefetch < q.Workers {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Idle workers",
			Detail:  fmt.Sprintf("%s runs %d workers but prefetches only %d messages, so %d workers can never be busy. Raise prefetch to at least workers.", what, q.Workers, q.Prefetch, q.Workers-q.Prefetch),
			Subject: q.Src.Range("prefetch")})
	}
	if q.MaxDelay < 0 || q.ShutdownTimeout < 0 {
		diags = append(diags, errorAt(q.Src, "max_delay", "Value out of range", fmt.Sprintf("durations in %s must not be negative.", what)))
	}
	diags = append(diags, visibilityTimeout(q, br)...)
	r := &q.Retry
	if r.MaxAttempts < 1 {
		diags = append(diags, errorAt(r.Src, "max_attempts", "Value out of range", fmt.Sprintf("max_attempts in the retry of %s must be at least 1.", what)))
	}
	if !inSet(r.Backoff, "exponential", "constant") {
		diags = append(diags, errorAt(r.Src, "backoff", "Invalid value", fmt.Sprintf("backoff in the retry of %s must be exponential or constant; got %q.", what, r.Backoff)))
	}
	if r.Initial <= 0 || r.Max <= 0 || r.Initial > r.Max {
		diags = append(diags, errorAt(r.Src, "initial", "Invalid retry delays",
			fmt.Sprintf("The retry of %s needs 0 < initial <= max; got initial %s and max %s.", what, r.Initial, r.Max)))
	}
	if br != nil && q.Priorities && br.Type == "sqs" {
		diags = append(diags, errorAt(q.Src, "priorities", "Priorities not supported by the broker",
			fmt.Sprintf("%s asks for priorities, but broker %q is SQS, which has no message priority. Use one queue per priority or another broker.", what, br.Name)))
	}
	diags = append(diags, queueType(br, q)...)
	if br != nil && q.Ordering == "fifo" && q.Priorities && br.Type == "kafka" {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "FIFO across priorities",
			Detail:  fmt.Sprintf("%s on Kafka keeps one topic per priority, so FIFO holds within a priority, not across them.", what),
			Subject: q.Src.Range("ordering")})
	}
	return diags
}

// Bounds of a queue's visibility_timeout: below a second every slow
// handler's message is handled twice; 12h is SQS's maximum, and a longer
// one would hide a crashed consumer's messages for more than a day.
const (
	minVisibilityTimeout = schema.Duration(time.Second)
	maxVisibilityTimeout = schema.Duration(12 * time.Hour)
)

func visibilityTimeout(q *schema.Queue, br *schema.Broker) hcl.Diagnostics {
	what := schema.Describe("queue", q.Name)
	// Left out, the runtime picks 1m or shutdown_timeout if longer: nothing
	// to check.
	vt := q.VisibilityTimeout
	if vt == 0 {
		return nil
	}
	if vt < minVisibilityTimeout || vt > maxVisibilityTimeout {
		return hcl.Diagnostics{errorAt(q.Src, "visibility_timeout", "Value out of range",
			fmt.Sprintf("visibility_timeout in %s must be between %s and %s; got %s.", what, minVisibilityTimeout.D(), maxVisibilityTimeout.D(), q.VisibilityTimeout.D()))}
	}
	if br == nil {
		return nil
	}
	switch {
	case br.Type == "redis" && vt < q.ShutdownTimeout:
		return hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "Visibility timeout shorter than the shutdown timeout",
			Detail: fmt.Sprintf("%s lets handlers run %s after a shutdown starts, but another consumer takes over a delivery unacknowledged for %s (visibility_timeout), so a slow handler's message can be handled twice. Make visibility_timeout at least shutdown_timeout.",
				what, q.ShutdownTimeout.D(), vt.D()),
			Subject: q.Src.Range("visibility_timeout")}}
	case br.Type == "rabbitmq" || br.Type == "kafka" || br.Type == "memory":
		return hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "visibility_timeout is ignored by this broker",
			Detail: fmt.Sprintf("%s is on broker %q (type %s), which redelivers unacknowledged messages when the consumer's connection or group membership ends, not after a timeout. Only redis brokers use visibility_timeout.",
				what, br.Name, br.Type),
			Subject: q.Src.Range("visibility_timeout")}}
	}
	return nil
}

func hostPortOK(s string) bool {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535
}

func inSet(s string, allowed ...string) bool {
	for _, a := range allowed {
		if s == a {
			return true
		}
	}
	return false
}
