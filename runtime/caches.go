package runtime

// cacheSet is the runtime's open caches (owned by the cache work).
type cacheSet struct{}
