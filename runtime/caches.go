package runtime

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/agext/levenshtein"
	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/runtime/cache"
)

// cacheSet is the runtime's open caches, each built on first use so that a
// model listing caches this process never touches needs no settings for them.
type cacheSet struct {
	mu   sync.Mutex
	open map[string]*cache.Cache
}

// Cache returns the cache called name, configured from the model and
// connected to its redis block. The same *cache.Cache is returned on every
// call. An unknown name is an error listing the caches the model has.
func (rt *Runtime) Cache(name string) (*cache.Cache, error) {
	s := &rt.caches
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.open[name]; ok {
		return c, nil
	}
	cfg := rt.model.Cache(name)
	if cfg == nil {
		known := make([]string, 0, len(rt.model.Caches))
		for _, c := range rt.model.Caches {
			known = append(known, c.Name)
		}
		if len(known) == 0 {
			return nil, fmt.Errorf("cache %q: the model declares no caches; add a cache %q {} block (and list it in the service's uses)", name, name)
		}
		return nil, fmt.Errorf("cache %q is not in the model (it has: %s)%s", name, strings.Join(known, ", "), suggest(name, known))
	}
	var client redis.UniversalClient
	if cfg.L2 != nil {
		var err error
		if client, err = rt.redisClient(cfg.L2.Redis); err != nil {
			return nil, fmt.Errorf("cache %q: %w", name, err)
		}
	}
	opts := []cache.Option{cache.WithLogger(rt.log)}
	if rt.reg != nil {
		opts = append(opts, cache.WithRegisterer(rt.reg))
	}
	if rt.tp != nil {
		opts = append(opts, cache.WithTracerProvider(rt.tp))
	}
	c, err := cache.New(*cfg, client, opts...)
	if err != nil {
		return nil, err
	}
	if s.open == nil {
		s.open = map[string]*cache.Cache{}
	}
	s.open[name] = c
	return c, nil
}

func (s *cacheSet) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.open))
	for n := range s.open {
		names = append(names, n)
	}
	slices.Sort(names)
	var errs []error
	for _, n := range names {
		errs = append(errs, s.open[n].Close())
	}
	s.open = nil
	return errors.Join(errs...)
}

// suggest returns `; did you mean "x"?` for the closest known name, or "".
func suggest(name string, known []string) string {
	best, bestD := "", 4 // beyond 3 edits a suggestion is noise
	for _, k := range known {
		if d := levenshtein.Distance(name, k, nil); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}
