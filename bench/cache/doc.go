// Package cache benchmarks nbac's runtime cache beside its anchors: bare
// otter v2 and go-redis/cache for L1 hits, a bare go-redis GET and
// go-redis/cache for L2 hits, and otter and golang-lru for hit ratio on a
// Zipf trace. See docs/performance.md ("Cache") for the figures.
package cache
