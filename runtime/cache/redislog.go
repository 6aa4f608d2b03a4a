package cache

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// go-redis logs through one process-wide logger (redis.SetLogger) and by
// default prints to stderr, a line per failed dial during an outage. The
// router below replaces it once per process and sends each line to one
// slog.Logger: that of the oldest registration still held (the first
// runtime that connected Redis and is not closed yet), else
// slog.Default(). A line cannot be routed by the call it is about: go-redis
// dials on a context of its own (so that a dial can serve another waiter),
// and its pool and pub/sub goroutines log with context.Background(). With
// several runtimes in one process the first one's logger therefore gets
// every runtime's go-redis lines; the caches' own fault lines ("Redis
// unavailable", "reachable again") still go to each cache's logger.
//
// Each message format is logged at most once per redisLogEvery, the next
// line carrying how many were suppressed.

// redisLogEvery bounds how often one kind of go-redis message is logged.
const redisLogEvery = 10 * time.Second

// maxLimits bounds the rate limiter's memory.
const maxLimits = 1024

// limitKey is one rate-limited stream: a destination and a message format.
type limitKey struct {
	dest   *slog.Logger
	format string
}

type limitState struct {
	last       time.Time
	suppressed uint64
}

type redisLogRouter struct {
	mu       sync.Mutex
	regs     []*redisLogReg
	limits   map[limitKey]*limitState
	now      func() time.Time
	every    time.Duration
	fallback func() *slog.Logger
}

type redisLogReg struct{ log *slog.Logger }

var (
	routerOnce sync.Once
	router     = &redisLogRouter{
		limits:   map[limitKey]*limitState{},
		now:      time.Now,
		every:    redisLogEvery,
		fallback: slog.Default,
	}
)

// RouteRedisLogs sends go-redis's own log lines to l (rate-limited) instead
// of stderr, until release is called. It installs a process-wide logger in
// go-redis (redis.SetLogger) on first use and keeps it installed; with
// several registrations the oldest one still held gets the lines, and with
// none slog.Default() does. An application that calls redis.SetLogger
// itself afterwards takes the global back. runtime.Open's runtimes register
// their logger when they first connect Redis and release it on Close.
func RouteRedisLogs(l *slog.Logger) (release func()) {
	if l == nil {
		return func() {}
	}
	routerOnce.Do(func() { redis.SetLogger(router) })
	return router.register(l)
}

func (r *redisLogRouter) register(l *slog.Logger) func() {
	reg := &redisLogReg{log: l}
	r.mu.Lock()
	r.regs = append(r.regs, reg)
	r.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			r.mu.Lock()
			defer r.mu.Unlock()
			for i, g := range r.regs {
				if g == reg {
					r.regs = append(r.regs[:i], r.regs[i+1:]...)
					break
				}
			}
			if !r.holds(l) {
				for k := range r.limits {
					if k.dest == l {
						delete(r.limits, k)
					}
				}
			}
		})
	}
}

// holds reports whether l is still registered; r.mu is held.
func (r *redisLogRouter) holds(l *slog.Logger) bool {
	for _, g := range r.regs {
		if g.log == l {
			return true
		}
	}
	return false
}

// Printf implements go-redis's internal.Logging.
func (r *redisLogRouter) Printf(ctx context.Context, format string, args ...any) {
	var dest *slog.Logger
	r.mu.Lock()
	if len(r.regs) > 0 {
		dest = r.regs[0].log
	}
	if dest == nil {
		dest = r.fallback()
	}
	k := limitKey{dest, format}
	st := r.limits[k]
	if st == nil {
		if len(r.limits) >= maxLimits {
			// Caches come and go (each has its own logger); forgetting
			// old counters only lets one extra line through.
			clear(r.limits)
		}
		st = &limitState{}
		r.limits[k] = st
	}
	now := r.now()
	if !st.last.IsZero() && now.Sub(st.last) < r.every {
		st.suppressed++
		r.mu.Unlock()
		return
	}
	suppressed := st.suppressed
	st.last, st.suppressed = now, 0
	r.mu.Unlock()
	attrs := []slog.Attr{slog.String("source", "go-redis")}
	if suppressed > 0 {
		attrs = append(attrs, slog.Uint64("suppressed", suppressed), slog.Duration("per", r.every))
	}
	dest.LogAttrs(context.WithoutCancel(ctx), slog.LevelWarn, fmt.Sprintf(format, args...), attrs...)
}
