package runtime

import (
	"crypto/tls"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/runtime/cache"
	"github.com/nbac/nbac/schema"
)

// redisPool holds one client per redis block, shared by every cache and
// Redis-backed broker that names the block.
type redisPool struct {
	mu      sync.Mutex
	clients map[string]redis.UniversalClient
	// releaseLog stops routing go-redis's log lines to this runtime's
	// logger (see cache.RouteRedisLogs); set with the first client.
	releaseLog func()
}

// redisClient returns the shared client for the redis block called name,
// connecting it on first use. Credentials come only from the environment
// variables the block names (url_env, password_env). Clients respect
// context deadlines, so each caller bounds its own calls.
func (rt *Runtime) redisClient(name string) (redis.UniversalClient, error) {
	p := &rt.redis
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.clients[name]; ok {
		return c, nil
	}
	blk, err := redisBlock(rt.model, name)
	if err != nil {
		return nil, err
	}
	c, err := newRedisClient(blk, rt.getenv)
	if err != nil {
		return nil, err
	}
	if p.clients == nil {
		p.clients = map[string]redis.UniversalClient{}
	}
	if p.releaseLog == nil {
		// go-redis logs through a process-wide logger: while this is the
		// oldest open runtime that connected Redis, its logger gets those
		// lines, rate-limited, instead of stderr.
		p.releaseLog = cache.RouteRedisLogs(rt.log)
	}
	p.clients[name] = c
	return c, nil
}

func redisBlock(m *schema.Model, name string) (*schema.Redis, error) {
	blk := m.RedisNamed(name)
	if blk == nil {
		known := make([]string, 0, len(m.Redis))
		for _, r := range m.Redis {
			known = append(known, r.Name)
		}
		return nil, fmt.Errorf("redis block %q is not in the model%s", name, suggest(name, known))
	}
	return blk, nil
}

func newRedisClient(blk *schema.Redis, getenv func(string) (string, bool)) (redis.UniversalClient, error) {
	if blk.URLEnv != "" {
		if url, ok := getenv(blk.URLEnv); ok && url != "" {
			return clientFromURL(blk, url, getenv)
		}
		if len(blk.Addresses) == 0 {
			return nil, fmt.Errorf("redis %q: environment variable %s is not set and the block has no address; set %s to a redis:// URL (or add address = \"host:port\")", blk.Name, blk.URLEnv, blk.URLEnv)
		}
	}
	if len(blk.Addresses) == 0 {
		return nil, fmt.Errorf("redis %q has no address and no url_env; add address = \"host:port\"", blk.Name)
	}
	o := &redis.UniversalOptions{
		Addrs:      slices.Clone(blk.Addresses),
		MasterName: blk.MasterName,
		DB:         blk.DB,
	}
	cache.ConfigureClient(o)
	if blk.PasswordEnv != "" {
		pw, ok := getenv(blk.PasswordEnv)
		if !ok {
			return nil, fmt.Errorf("redis %q: environment variable %s (password_env) is not set; set it to the Redis password", blk.Name, blk.PasswordEnv)
		}
		o.Password = pw
	}
	if blk.TLS {
		o.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return redis.NewUniversalClient(o), nil
}

// clientFromURL builds a client from url_env's value: redis:// or rediss://
// for one node; with several addresses in the block it is a Cluster, and
// with master_name a Sentinel setup, each taking credentials and DB from
// the URL (password_env, when set, overrides the URL's password).
func clientFromURL(blk *schema.Redis, url string, getenv func(string) (string, bool)) (redis.UniversalClient, error) {
	o, err := redis.ParseURL(url)
	if err != nil {
		// Never echo the URL: it may hold a password.
		return nil, fmt.Errorf("redis %q: environment variable %s does not hold a valid redis:// URL: %v", blk.Name, blk.URLEnv, redactURLError(err, url))
	}
	if blk.PasswordEnv != "" {
		// An explicit password_env wins over a password in the URL.
		if pw, ok := getenv(blk.PasswordEnv); ok {
			o.Password = pw
		}
	}
	u := &redis.UniversalOptions{
		Addrs:      []string{o.Addr},
		Username:   o.Username,
		Password:   o.Password,
		DB:         o.DB,
		TLSConfig:  o.TLSConfig,
		MasterName: blk.MasterName,
	}
	cache.ConfigureClient(u)
	if blk.MasterName != "" || len(blk.Addresses) > 1 {
		u.Addrs = slices.Clone(blk.Addresses)
	}
	if blk.TLS && u.TLSConfig == nil {
		u.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return redis.NewUniversalClient(u), nil
}

func redactURLError(err error, url string) error {
	if url == "" {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), url, "<redacted>"))
}

func (p *redisPool) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	names := make([]string, 0, len(p.clients))
	for n := range p.clients {
		names = append(names, n)
	}
	slices.Sort(names)
	var errs []error
	for _, n := range names {
		if err := p.clients[n].Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing redis %q: %w", n, err))
		}
	}
	p.clients = nil
	if p.releaseLog != nil {
		p.releaseLog()
		p.releaseLog = nil
	}
	return errors.Join(errs...)
}
