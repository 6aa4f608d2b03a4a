package schema

// Redis is a `redis "name" {}` block: a Redis deployment the runtime
// connects to through go-redis's UniversalClient.
type Redis struct {
	Name string `json:"name"`
	// Addresses: one for a single node; several for Cluster; the Sentinels
	// when MasterName is set.
	Addresses  []string `json:"addresses"`
	MasterName string   `json:"master_name,omitempty"`
	DB         int      `json:"db,omitempty"`
	// URLEnv names an environment variable holding a redis:// URL that
	// overrides Addresses and carries credentials. Never its value.
	URLEnv string `json:"url_env,omitempty"`
	// PasswordEnv names an environment variable holding the password.
	PasswordEnv string `json:"password_env,omitempty"`
	TLS         bool   `json:"tls,omitempty"`
	Src         Source `json:"-"`
}

// Cache is a `cache "name" {}` block: an L1 in-process tier and/or an L2
// Redis tier.
type Cache struct {
	Name string   `json:"name"`
	L1   *L1Cache `json:"l1,omitempty"`
	L2   *L2Cache `json:"l2,omitempty"`
	// NegativeTTL caches "not found" for this long; 0 = off.
	NegativeTTL Duration `json:"negative_ttl,omitempty"`
	// Warm lists keys the runtime loads at start.
	Warm   []string     `json:"warm,omitempty"`
	Alerts *CacheAlerts `json:"alerts,omitempty"`
	Src    Source       `json:"-"`
}

// L1Cache is the `l1 {}` block.
type L1Cache struct {
	MaxEntries int      `json:"max_entries"`
	MaxBytes   int64    `json:"max_bytes,omitempty"` // 0 = bounded by entries only
	TTL        Duration `json:"ttl"`
	// Jitter spreads expiries by up to this fraction of TTL (0..0.5).
	Jitter float64 `json:"jitter,omitempty"`
	Src    Source  `json:"-"`
}

// L2Cache is the `l2 {}` block.
type L2Cache struct {
	Redis     string   `json:"redis"` // name of a redis block
	TTL       Duration `json:"ttl"`
	KeyPrefix string   `json:"key_prefix"` // default "<cache name>:"
	Compress  string   `json:"compress"`   // none | zlib | zstd | s2
	// CompressMin is the value size in bytes below which values are
	// stored uncompressed (default 1024).
	CompressMin int `json:"compress_min"`
	// Invalidate publishes Set/Delete on Redis pub/sub so other instances
	// drop their L1 copy (default true when L1 is also configured).
	Invalidate bool     `json:"invalidate"`
	Timeout    Duration `json:"timeout"` // per Redis call; default 100ms
	Src        Source   `json:"-"`
}

// Broker is a `broker "name" {}` block: where queues live.
type Broker struct {
	Name string `json:"name"`
	Type string `json:"type"` // rabbitmq | kafka | redis | memory | sqs
	// Addresses are host:port pairs (Kafka seed brokers, Redis node);
	// ignored when URLEnv is set and present.
	Addresses []string `json:"addresses,omitempty"`
	// URLEnv names an environment variable holding the connection URL
	// (amqp://user:pass@host/vhost, redis://...). Never its value.
	URLEnv string `json:"url_env,omitempty"`
	// Redis names a redis block to reuse, for type = "redis".
	Redis string `json:"redis,omitempty"`
	Src   Source `json:"-"`
}

// Queue is a `queue "name" {}` block.
type Queue struct {
	Name       string `json:"name"`
	Broker     string `json:"broker"`     // name of a broker block
	Priorities bool   `json:"priorities"` // low | normal | high | critical
	Ordering   string `json:"ordering"`   // none (default) | fifo (per message key)
	Workers    int    `json:"workers"`    // concurrent handlers; default 1
	// Prefetch bounds unacknowledged deliveries per consumer (default
	// 2 * Workers).
	Prefetch   int      `json:"prefetch"`
	Retry      Retry    `json:"retry"`
	DeadLetter bool     `json:"dead_letter"`
	MaxDelay   Duration `json:"max_delay,omitempty"` // longest delayed delivery accepted; 0 = no delay
	// ShutdownTimeout bounds how long Consume waits for in-flight work.
	ShutdownTimeout Duration `json:"shutdown_timeout"`
	// QueueType is the RabbitMQ queue type: "" (not set: classic),
	// "classic" or "quorum" (replicated; no priorities).
	QueueType string `json:"queue_type,omitempty"`
	// VisibilityTimeout is how long a delivery may stay unacknowledged
	// before another consumer takes it over; 0 means the runtime's default
	// (1m). Honoured by Redis Streams only.
	VisibilityTimeout Duration     `json:"visibility_timeout,omitempty"`
	Alerts            *QueueAlerts `json:"alerts,omitempty"`
	Src               Source       `json:"-"`
}

// Retry is the `retry {}` block of a queue.
type Retry struct {
	MaxAttempts int      `json:"max_attempts"` // including the first; default 5
	Backoff     string   `json:"backoff"`      // exponential (default) | constant
	Initial     Duration `json:"initial"`      // default 1s
	Max         Duration `json:"max"`          // default 1m
	Jitter      bool     `json:"jitter"`       // default true
	Src         Source   `json:"-"`
}

// Priority levels, lowest first; a message's Priority is one of these.
var Priorities = []string{"low", "normal", "high", "critical"}
