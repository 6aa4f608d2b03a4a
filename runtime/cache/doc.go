// Package cache is nbac's two-tier cache: an in-process L1 (otter v2,
// W-TinyLFU, bounded by entries and optionally bytes, per-key TTL with
// jitter) in front of an optional Redis L2 (go-redis v9 UniversalClient, key
// prefix, TTL, compression with a leading format byte).
//
// It owns: the typed API (GetBytes/SetBytes, Get/Set through a Codec,
// GetOrLoad with one origin call per key across both tiers, Warm), negative
// caching, cross-instance L1 invalidation over Redis pub/sub, Prometheus
// metrics and Stats, and fault handling: when Redis is down or slow the
// cache keeps serving from L1 and the origin, counts and logs the errors
// (rate-limited) and recovers by itself. A Cache is built from a
// schema.Cache (see runtime.Open, which also connects Redis).
package cache
