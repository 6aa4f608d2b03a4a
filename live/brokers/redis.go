package brokers

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/emit/plan"
	"github.com/nbac/nbac/runtime"
	"github.com/nbac/nbac/runtime/cache"
	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/redisstream"
	"github.com/nbac/nbac/schema"
)

// redisEndpoint is a redis broker, reached as the runtime reaches it
// (runtime.BrokerRedis); apply connects again.
type redisEndpoint struct {
	m      *schema.Model
	br     *schema.Broker
	getenv func(string) (string, bool)
	addr   string
}

func (e *redisEndpoint) where() string { return "redis " + e.addr }

// redisAddr names a client's server without credentials.
func redisAddr(c redis.UniversalClient) string {
	switch c := c.(type) {
	case *redis.ClusterClient:
		return strings.Join(c.Options().Addrs, ",")
	case *redis.Client:
		if a := c.Options().Addr; a != "FailoverClient" {
			return a
		}
	}
	return "(sentinel)"
}

// compareRedis looks at each stream redisstream.Declarations lists: no key
// is a missing stream; a stream without the consumer group is a missing
// group; a key of another type is a conflict, which apply never touches.
func compareRedis(ctx context.Context, m *schema.Model, br *schema.Broker, qs []*schema.Queue, getenv func(string) (string, bool)) ([]Object, error) {
	c, err := runtime.BrokerRedis(m, br, getenv)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	defer quiet()()
	ep := &redisEndpoint{m: m, br: br, getenv: getenv, addr: redisAddr(c)}
	actx, cancel := context.WithTimeout(ctx, answer)
	err = c.Ping(actx).Err()
	cancel()
	if err != nil {
		return nil, unreachable(br, "Redis", ep.addr, err)
	}
	var out []Object
	for _, q := range qs {
		for _, d := range redisstream.Declarations(queue.ConfigFrom(q), redisstream.Options{}) {
			o := Object{Model: q, Broker: br, Kind: "RedisStream", Name: d.Stream, State: Present, ep: ep, spec: d}
			typ, err := c.Type(ctx, d.Stream).Result()
			if err != nil {
				return nil, unreachable(br, "Redis", ep.addr, err)
			}
			group := []plan.FieldChange{{Path: "consumer group", After: d.Group, HasAfter: true}}
			switch typ {
			case "none":
				o.State, o.Fields = Missing, group
			case "stream":
				has, err := hasGroup(ctx, c, d)
				if err != nil {
					return nil, unreachable(br, "Redis", ep.addr, err)
				}
				if !has {
					o.State, o.Fields = Missing, group
					o.Reason = fmt.Sprintf("the stream exists without consumer group %q", d.Group)
				}
			default:
				o.State = Conflict
				o.Reason = fmt.Sprintf("the key holds a %s, not a stream", typ)
				o.Remedy = "the runtime cannot use it and apply never touches it: delete or rename the key, or rename the queue block"
				o.Fields = []plan.FieldChange{{Path: "type", Before: typ, After: "stream", HasBefore: true, HasAfter: true}}
			}
			out = append(out, o)
		}
	}
	return out, nil
}

func hasGroup(ctx context.Context, c redis.UniversalClient, d redisstream.Declaration) (bool, error) {
	groups, err := c.XInfoGroups(ctx, d.Stream).Result()
	if err != nil {
		return false, err
	}
	for _, g := range groups {
		if g.Name == d.Group {
			return true, nil
		}
	}
	return false, nil
}

// declare does what the driver's Declare does: XGROUP CREATE ... 0
// MKSTREAM for each missing stream or group.
func (e *redisEndpoint) declare(ctx context.Context, missing []Object) ([]Object, error) {
	c, err := runtime.BrokerRedis(e.m, e.br, e.getenv)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	defer quiet()()
	var done []Object
	for _, o := range missing {
		if err := redisstream.Create(ctx, c, o.spec.(redisstream.Declaration)); err != nil {
			return done, err
		}
		done = append(done, o)
	}
	return done, nil
}

// quiet keeps go-redis's own log lines (a failed dial, each retry) off
// stderr until release: the plan's note or apply's error says it once.
func quiet() (release func()) { return cache.RouteRedisLogs(slog.New(slog.DiscardHandler)) }
