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
// router below replaces it once per process and sends each line to a
// slog.Logger:
//
//   - a line about a call a cache made goes to that cache's logger (l2 puts
//     it in the call's context), so with several runtimes in one process
//     each runtime's Redis trouble lands in its own log;
//   - a line with no such context (pool background dials, pub/sub
//     reconnects, a queue's calls) goes to the logger of the oldest
//     registration still held (the first runtime that connected Redis and is
//     not closed), else slog.Default();
//
// and each (logger, message format) pair is logged at most once per
// redisLogEvery, the next line carrying how many were suppressed.

// redisLogEvery bounds how often one kind of go-redis message is logged.
const redisLogEvery = 10 * time.Second

// maxLimits bounds the rate limiter's memory.
const maxLimits = 1024

type redisLogKey struct{}

// withRedisLog names the logger go-redis's lines about calls made with ctx
// go to.
func withRedisLog(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, redisLogKey{}, l)
}

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
// go-redis (redis.SetLogger) on first use and keeps it installed: with
// several registrations, lines about a cache's calls go to that cache's
// logger and other lines to the oldest registration still held. An
// application that calls redis.SetLogger itself afterwards takes the
// global back. runtime.Open's runtimes register their logger when they
// first connect Redis and release it on Close.
func RouteRedisLogs(l *slog.Logger) (release func()) {
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
	dest, _ := ctx.Value(redisLogKey{}).(*slog.Logger)
	r.mu.Lock()
	if dest == nil && len(r.regs) > 0 {
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
