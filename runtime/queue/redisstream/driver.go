package redisstream

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/runtime/queue"
)

// Options are the driver's settings.
type Options struct {
	// Client is the Redis connection (single node, Sentinel or Cluster).
	Client redis.UniversalClient
	// Prefix starts every key; default "nbac:q:".
	Prefix string
	// Group is the consumer group; default "nbac".
	Group string
	// Logger receives the driver's warnings; default the queue's
	// (queue.Config.Logger), else slog.Default().
	Logger *slog.Logger
}

// New returns the driver of queue cfg on opts.Client. How long a delivery
// may stay pending before another consumer takes it over is
// cfg.VisibilityTimeout (HCL visibility_timeout; default 1m, or
// shutdown_timeout if longer). It must be longer than the slowest handler,
// or that handler's message is handled twice.
func New(cfg queue.Config, opts Options) queue.Driver {
	opts = withDefaults(opts)
	cfg.VisibilityTimeout = cfg.EffectiveVisibilityTimeout()
	if opts.Logger == nil {
		opts.Logger = cfg.Logger
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	base := base(cfg, opts)
	d := &driver{
		cfg: cfg, opts: opts, rdb: opts.Client,
		delayed: base + ":delayed", data: base + ":delayed:data", dlq: base + ":dlq",
		log:  opts.Logger.With("queue", cfg.Name),
		reqs: make(chan *request, 1024),
		acks: make(chan ackItem, 4096),
		quit: make(chan struct{}),
	}
	d.byLevel, d.streams = streamKeys(cfg, opts)
	go d.pipeliner()
	return d
}

type driver struct {
	cfg  queue.Config
	opts Options
	rdb  redis.UniversalClient
	log  *slog.Logger
	// streams are read highest priority first; byLevel maps a level to
	// its stream.
	streams            []string
	byLevel            [queue.Levels]string
	delayed, data, dlq string
	seq                atomic.Uint64
	reqs               chan *request
	acks               chan ackItem
	quit               chan struct{}
	closeOnce          sync.Once
	pending            sync.WaitGroup
}

func (d *driver) errorf(format string, args ...any) error {
	return fmt.Errorf("redis %s: %s", d.addr(), fmt.Sprintf(format, args...))
}

func (d *driver) addr() string {
	if c, ok := d.rdb.(*redis.Client); ok {
		return c.Options().Addr
	}
	return "(cluster)"
}

func (d *driver) Declare(ctx context.Context) error {
	for _, dc := range Declarations(d.cfg, d.opts) {
		if err := Create(ctx, d.rdb, dc); err != nil {
			return d.errorf("%v", err)
		}
	}
	return nil
}

// request is one caller's share of a pipelined round trip.
type request struct {
	add  func(p redis.Pipeliner) []redis.Cmder
	cmds []redis.Cmder
	done chan error
}

// pipeliner sends whatever requests and acks are waiting in one pipeline
// per round trip: concurrent publishes share round trips instead of each
// paying one, and acks become one XACK + XDEL per stream per round trip.
func (d *driver) pipeliner() {
	batch := make([]*request, 0, 256)
	acks := make([]ackItem, 0, 1024)
	for {
		batch, acks = batch[:0], acks[:0]
		select {
		case r := <-d.reqs:
			batch = append(batch, r)
		case a := <-d.acks:
			acks = append(acks, a)
		case <-d.quit:
			return
		}
	more:
		for len(batch) < cap(batch) && len(acks) < cap(acks) {
			select {
			case r := <-d.reqs:
				batch = append(batch, r)
			case a := <-d.acks:
				acks = append(acks, a)
			default:
				break more
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		p := d.rdb.Pipeline()
		for _, r := range batch {
			r.cmds = r.add(p)
		}
		var ackCmds []redis.Cmder
		for _, s := range d.streams {
			var ids []string
			for _, a := range acks {
				if a.stream == s {
					ids = append(ids, a.id)
				}
			}
			if len(ids) > 0 {
				ackCmds = append(ackCmds, p.XAck(ctx, s, d.opts.Group, ids...), p.XDel(ctx, s, ids...))
			}
		}
		_, _ = p.Exec(ctx)
		cancel()
		for _, r := range batch {
			r.done <- firstErr(r.cmds)
		}
		if len(acks) > 0 {
			if err := firstErr(ackCmds); err != nil {
				d.log.Warn("ack failed; the messages will be delivered again", "n", len(acks), "err", err)
			}
			d.pending.Add(-len(acks))
		}
	}
}

func firstErr(cmds []redis.Cmder) error {
	for _, c := range cmds {
		if err := c.Err(); err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
	}
	return nil
}

type ackItem struct{ stream, id string }

func (d *driver) do(ctx context.Context, add func(p redis.Pipeliner) []redis.Cmder) error {
	r := &request{add: add, done: make(chan error, 1)}
	select {
	case d.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-d.quit:
		return d.errorf("driver closed")
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// member names a delayed message: its level first (the Lua mover picks the
// stream from it), then a unique id.
func (d *driver) member(level int) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return strconv.Itoa(level) + hex.EncodeToString(b[:]) + strconv.FormatUint(d.seq.Add(1), 36)
}

func (d *driver) addDelayed(p redis.Pipeliner, env *queue.Envelope, now time.Time) []redis.Cmder {
	m := d.member(env.Level)
	due := queue.DueMilli(now.Add(env.Delay))
	return []redis.Cmder{
		p.HSet(context.Background(), d.data, m, encode(env)),
		p.ZAdd(context.Background(), d.delayed, redis.Z{Score: float64(due), Member: m}),
	}
}

func (d *driver) Publish(ctx context.Context, msgs []queue.Envelope) error {
	now := time.Now()
	err := d.do(ctx, func(p redis.Pipeliner) []redis.Cmder {
		cmds := make([]redis.Cmder, 0, len(msgs))
		for i := range msgs {
			env := &msgs[i]
			if env.Delay > 0 {
				cmds = append(cmds, d.addDelayed(p, env, now)...)
				continue
			}
			cmds = append(cmds, p.XAdd(ctx, &redis.XAddArgs{Stream: d.byLevel[env.Level], Values: entryValues(env)}))
		}
		return cmds
	})
	if err != nil {
		return d.errorf("publish: %v (the messages may or may not be stored; publish again)", err)
	}
	return nil
}

// tag is a delivery's stream and entry id.
type tag struct {
	stream, id string
	env        queue.Envelope
	r          *receiver
}

// Ack is asynchronous: the XACK + XDEL joins the next pipeline. A lost ack
// (connection cut) means the message is claimed and delivered again.
func (d *driver) Ack(_ context.Context, dl *queue.Delivery) error {
	t := dl.Tag.(*tag)
	t.r.done(t.id)
	d.pending.Add(1)
	select {
	case d.acks <- ackItem{t.stream, t.id}:
	case <-d.quit:
		d.pending.Done()
		return d.errorf("driver closed before ack")
	}
	return nil
}

// System is the messaging.system span attribute (Redis Streams has no
// registered value in the conventions).
func (d *driver) System() string { return "redis" }

func (d *driver) Retry(ctx context.Context, dl *queue.Delivery, delay time.Duration, headers map[string]string) error {
	t := dl.Tag.(*tag)
	env := t.env
	env.Headers = queue.AddHeaders(env.Headers, headers)
	env.Attempt = dl.Attempt + 1
	env.Delay = max(delay, time.Millisecond)
	_, err := d.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		d.addDelayed(p, &env, time.Now())
		p.XAck(ctx, t.stream, d.opts.Group, t.id)
		p.XDel(ctx, t.stream, t.id)
		return nil
	})
	if err != nil {
		return d.errorf("schedule retry: %v", err)
	}
	t.r.done(t.id)
	return nil
}

func (d *driver) DeadLetter(ctx context.Context, dl *queue.Delivery, headers map[string]string) error {
	t := dl.Tag.(*tag)
	env := t.env
	env.Headers = queue.AddHeaders(env.Headers, headers)
	env.Attempt = dl.Attempt
	_, err := d.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.XAdd(ctx, &redis.XAddArgs{Stream: d.dlq, Values: entryValues(&env)})
		p.XAck(ctx, t.stream, d.opts.Group, t.id)
		p.XDel(ctx, t.stream, t.id)
		return nil
	})
	if err != nil {
		return d.errorf("dead-letter to %q: %v", d.dlq, err)
	}
	t.r.done(t.id)
	return nil
}

// Release hands the delivery back at once (see handBack): any consumer
// reading the stream gets it next, instead of waiting for the visibility
// timeout. If that fails the entry stays pending and is claimed after the
// timeout, so nothing is lost either way.
func (d *driver) Release(ctx context.Context, dl *queue.Delivery) error {
	t := dl.Tag.(*tag)
	t.r.done(t.id)
	err := d.do(ctx, func(p redis.Pipeliner) []redis.Cmder {
		return []redis.Cmder{d.handBackCmd(p, t.stream, t.r.name, []string{t.id})}
	})
	if err != nil {
		return d.errorf("hand back %s: %v (it is redelivered after visibility_timeout %s)", t.id, err, d.cfg.VisibilityTimeout)
	}
	return nil
}

func (d *driver) Inspect(ctx context.Context) (queue.Stats, error) {
	var st queue.Stats
	p := d.rdb.Pipeline()
	var lens []*redis.IntCmd
	var pend []*redis.XPendingCmd
	for _, s := range d.streams {
		lens = append(lens, p.XLen(ctx, s))
		pend = append(pend, p.XPending(ctx, s, d.opts.Group))
	}
	zc := p.ZCard(ctx, d.delayed)
	dl := p.XLen(ctx, d.dlq)
	cons := p.XInfoConsumers(ctx, d.streams[0], d.opts.Group)
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return st, d.errorf("inspect: %v", err)
	}
	for i := range lens {
		st.Ready += lens[i].Val()
		st.Unacked += pend[i].Val().Count
	}
	// Acked entries are deleted, so a stream holds unread plus pending.
	st.Ready -= st.Unacked
	st.Delayed = zc.Val()
	st.DeadLetters = dl.Val()
	for _, c := range cons.Val() {
		if c.Idle < max(d.cfg.VisibilityTimeout, 30*time.Second) {
			st.Consumers++
		}
	}
	return st, nil
}

func (d *driver) ReplayDLQ(ctx context.Context, limit int) (int, error) {
	n := 0
	for limit <= 0 || n < limit {
		count := int64(100)
		if limit > 0 {
			count = int64(min(100, limit-n))
		}
		msgs, err := d.rdb.XRangeN(ctx, d.dlq, "-", "+", count).Result()
		if err != nil {
			return n, d.errorf("read %q: %v", d.dlq, err)
		}
		if len(msgs) == 0 {
			break
		}
		for _, m := range msgs {
			env, err := decodeEntry(m)
			if err != nil {
				return n, d.errorf("dead letter %s in %q: %v", m.ID, d.dlq, err)
			}
			env.Attempt = 1
			if env.Headers == nil {
				env.Headers = map[string]string{}
			}
			env.Headers[queue.HeaderReplayed] = "1"
			// One MULTI: the message is in the queue exactly when it left
			// the dead-letter stream.
			_, err = d.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.XAdd(ctx, &redis.XAddArgs{Stream: d.byLevel[env.Level], Values: entryValues(&env)})
				p.XDel(ctx, d.dlq, m.ID)
				return nil
			})
			if err != nil {
				return n, d.errorf("replay %s: %v", m.ID, err)
			}
			n++
		}
	}
	return n, nil
}

func decodeEntry(m redis.XMessage) (queue.Envelope, error) {
	if h, ok := m.Values["h"].(string); ok {
		env, err := decode([]byte(h))
		if err != nil {
			return env, err
		}
		b, _ := m.Values["b"].(string)
		env.Body = []byte(b)
		return env, nil
	}
	v, ok := m.Values["m"].(string)
	if !ok {
		return queue.Envelope{}, errCorrupt
	}
	return decode([]byte(v))
}

// Close flushes pending acks and stops the pipeliner. The Redis client
// belongs to the caller.
func (d *driver) Close() error {
	d.closeOnce.Do(func() {
		waited := make(chan struct{})
		go func() { d.pending.Wait(); close(waited) }()
		select {
		case <-waited:
		case <-time.After(5 * time.Second):
		}
		close(d.quit)
	})
	return nil
}

func consumerName() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}
