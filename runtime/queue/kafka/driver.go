package kafka

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	kgo "github.com/segmentio/kafka-go"

	"github.com/nbac/nbac/runtime/queue"
)

// Options are the driver's settings.
type Options struct {
	// Brokers are seed host:port addresses.
	Brokers []string
	// Partitions is the partition count of topics the driver creates
	// (default 4). An existing topic keeps its own count, and the writer
	// and the consumer groups use every partition it has; but Inspect and
	// the priority receiver's start-up backlog (uncommitted) ask about
	// partitions 0..Partitions-1 only, so a topic with more is undercounted
	// (and its order at start is best effort on the others). A topic with
	// fewer is counted right; at most that many consumers of a group read
	// it at once. nbac plan -live reports either as a conflict.
	Partitions int
	// ReplicationFactor of created topics; default -1, the broker's default.
	ReplicationFactor int
	Logger            *slog.Logger
}

// Header names private to the driver.
const (
	hAttempt = "x-nbac-attempt"
	hLevel   = "x-nbac-level"
	hDue     = "x-nbac-due" // unix ms: when the message may be handled
	hHop     = "x-nbac-hop" // unix ms: when it leaves its delay tier
)

var tiers = []time.Duration{
	50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// New returns the driver of queue cfg on the cluster at opts.Brokers.
func New(cfg queue.Config, opts Options) queue.Driver {
	opts = withDefaults(opts)
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	d := &driver{cfg: cfg, opts: opts, log: opts.Logger.With("queue", cfg.Name), layout: newLayout(cfg)}
	d.w = &kgo.Writer{
		Addr:         kgo.TCP(opts.Brokers...),
		Balancer:     &kgo.Hash{},
		RequiredAcks: kgo.RequireAll,
		BatchTimeout: 2 * time.Millisecond,
		BatchSize:    256,
		MaxAttempts:  3,
	}
	return d
}

type driver struct {
	cfg  queue.Config
	opts Options
	log  *slog.Logger
	layout
	w *kgo.Writer

	mu     sync.Mutex
	closed bool
}

func (d *driver) errorf(format string, args ...any) error {
	return fmt.Errorf("kafka %s: %s", strings.Join(d.opts.Brokers, ","), fmt.Sprintf(format, args...))
}

// tierFor picks the largest tier not longer than wait.
func (d *driver) tierFor(wait time.Duration) (string, time.Duration) {
	pick := d.tiers[0]
	for _, t := range d.tiers {
		if t <= wait {
			pick = t
		}
	}
	return d.tierTopic(pick), pick
}

func group(topic string) string { return "nbac." + topic }

func (d *driver) client() *kgo.Client {
	return &kgo.Client{Addr: kgo.TCP(d.opts.Brokers...), Timeout: 10 * time.Second}
}

func (d *driver) Declare(ctx context.Context) error {
	if err := Create(ctx, d.client(), Topics(d.cfg, d.opts)); err != nil {
		return d.errorf("%v", err)
	}
	return nil
}

// message encodes an envelope for topic (partitioned by key).
func (d *driver) message(env *queue.Envelope, now time.Time) kgo.Message {
	m := kgo.Message{Topic: d.byLevel[env.Level], Value: env.Body}
	if env.Key != "" {
		m.Key = []byte(env.Key)
	}
	for k, v := range env.Headers {
		m.Headers = append(m.Headers, kgo.Header{Key: k, Value: []byte(v)})
	}
	m.Headers = append(m.Headers,
		kgo.Header{Key: hAttempt, Value: strconv.AppendInt(nil, int64(env.Attempt), 10)},
		kgo.Header{Key: hLevel, Value: strconv.AppendInt(nil, int64(env.Level), 10)})
	if env.Delay > 0 {
		due := now.Add(env.Delay)
		topic, t := d.tierFor(env.Delay)
		m.Topic = topic
		m.Headers = append(m.Headers,
			kgo.Header{Key: hDue, Value: strconv.AppendInt(nil, queue.DueMilli(due), 10)},
			kgo.Header{Key: hHop, Value: strconv.AppendInt(nil, queue.DueMilli(now.Add(t)), 10)})
	}
	return m
}

// decode reads an envelope back; due is zero when not delayed.
func decode(m *kgo.Message) (env queue.Envelope, due time.Time) {
	env = queue.Envelope{Message: queue.Message{Key: string(m.Key), Body: m.Value}, Attempt: 1, Level: 1}
	for _, h := range m.Headers {
		switch h.Key {
		case hAttempt:
			if n, err := strconv.Atoi(string(h.Value)); err == nil && n > 0 {
				env.Attempt = n
			}
		case hLevel:
			if n, err := strconv.Atoi(string(h.Value)); err == nil && n >= 0 && n < queue.Levels {
				env.Level = n
			}
		case hDue:
			if n, err := strconv.ParseInt(string(h.Value), 10, 64); err == nil {
				due = time.UnixMilli(n)
			}
		case hHop:
		default:
			if env.Headers == nil {
				env.Headers = map[string]string{}
			}
			env.Headers[h.Key] = string(h.Value)
		}
	}
	env.Priority = queue.LevelName(env.Level)
	return env, due
}

func hopOf(m *kgo.Message) time.Time {
	for _, h := range m.Headers {
		if h.Key == hHop {
			if n, err := strconv.ParseInt(string(h.Value), 10, 64); err == nil {
				return time.UnixMilli(n)
			}
		}
	}
	return time.Time{}
}

func (d *driver) write(ctx context.Context, msgs ...kgo.Message) error {
	if err := d.w.WriteMessages(ctx, msgs...); err != nil {
		return d.errorf("write: %v (the messages may or may not be stored; publish again)", err)
	}
	return nil
}

func (d *driver) Publish(ctx context.Context, msgs []queue.Envelope) error {
	now := time.Now()
	out := make([]kgo.Message, len(msgs))
	for i := range msgs {
		out[i] = d.message(&msgs[i], now)
	}
	return d.write(ctx, out...)
}

func (d *driver) Ack(ctx context.Context, dl *queue.Delivery) error {
	return dl.Tag.(*tag).settle(ctx)
}

// System is the messaging.system span attribute.
func (d *driver) System() string { return "kafka" }

func (d *driver) Retry(ctx context.Context, dl *queue.Delivery, delay time.Duration, headers map[string]string) error {
	t := dl.Tag.(*tag)
	env := t.env
	env.Headers = queue.AddHeaders(env.Headers, headers)
	env.Attempt = dl.Attempt + 1
	env.Delay = max(delay, time.Millisecond)
	if err := d.write(ctx, d.message(&env, time.Now())); err != nil {
		return err
	}
	return t.settle(ctx)
}

func (d *driver) DeadLetter(ctx context.Context, dl *queue.Delivery, headers map[string]string) error {
	t := dl.Tag.(*tag)
	env := t.env
	env.Headers = queue.AddHeaders(env.Headers, headers)
	env.Attempt = dl.Attempt
	env.Delay = 0
	m := d.message(&env, time.Now())
	m.Topic = d.dlq
	if err := d.write(ctx, m); err != nil {
		return err
	}
	return t.settle(ctx)
}

// Release leaves the offset uncommitted: no later offset of its partition
// is committed either, so the message is delivered again after a restart
// or rebalance.
func (d *driver) Release(context.Context, *queue.Delivery) error { return nil }

func (d *driver) Inspect(ctx context.Context) (queue.Stats, error) {
	st := queue.Stats{Unacked: -1, Consumers: -1}
	for _, t := range d.work {
		n, err := d.lag(ctx, t, group(t))
		if err != nil {
			return st, err
		}
		st.Ready += n
	}
	for _, tr := range d.tiers {
		t := d.tierTopic(tr)
		n, err := d.lag(ctx, t, group(t))
		if err != nil {
			return st, err
		}
		st.Delayed += n
	}
	n, err := d.lag(ctx, d.dlq, group(d.dlq))
	st.DeadLetters = n
	return st, err
}

// lag is how many messages of topic the group has not committed.
func (d *driver) lag(ctx context.Context, topic, grp string) (int64, error) {
	left, err := d.uncommitted(ctx, topic, grp)
	var n int64
	for _, l := range left {
		n += l
	}
	return n, err
}

// backlog is, per partition, how many messages of work topic its group
// (the one the receiver reads it with) has not committed.
func (d *driver) backlog(ctx context.Context, topic string) (map[int]int64, error) {
	return d.uncommitted(ctx, topic, group(topic))
}

// uncommitted is, per partition of topic, how many messages the group has
// not committed.
func (d *driver) uncommitted(ctx context.Context, topic, grp string) (map[int]int64, error) {
	c := d.client()
	parts := make([]int, d.opts.Partitions)
	reqs := make([]kgo.OffsetRequest, 0, 2*len(parts))
	for p := range parts {
		parts[p] = p
		reqs = append(reqs, kgo.FirstOffsetOf(p), kgo.LastOffsetOf(p))
	}
	offs, err := c.ListOffsets(ctx, &kgo.ListOffsetsRequest{Topics: map[string][]kgo.OffsetRequest{topic: reqs}})
	if err != nil {
		return nil, d.errorf("list offsets of %q: %v", topic, err)
	}
	com, err := c.OffsetFetch(ctx, &kgo.OffsetFetchRequest{GroupID: grp, Topics: map[string][]int{topic: parts}})
	if err != nil {
		return nil, d.errorf("fetch offsets of group %q: %v", grp, err)
	}
	committed := map[int]int64{}
	for _, p := range com.Topics[topic] {
		committed[p.Partition] = p.CommittedOffset
	}
	left := map[int]int64{}
	for _, p := range offs.Topics[topic] {
		from := committed[p.Partition]
		if from < p.FirstOffset {
			from = p.FirstOffset
		}
		if p.LastOffset > from {
			left[p.Partition] = p.LastOffset - from
		}
	}
	return left, nil
}

// ReplayDLQ reads the dead-letter topic with its own group and writes each
// message back to its work topic before committing it.
func (d *driver) ReplayDLQ(ctx context.Context, limit int) (int, error) {
	pending, err := d.lag(ctx, d.dlq, group(d.dlq))
	if err != nil {
		return 0, err
	}
	if limit > 0 && int64(limit) < pending {
		pending = int64(limit)
	}
	if pending == 0 {
		return 0, nil
	}
	stop := make(chan struct{})
	r := d.reader(d.dlq, 1, stop)
	defer func() { close(stop); r.Close() }()
	n := 0
	for int64(n) < pending {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			return n, d.errorf("read %q: %v", d.dlq, err)
		}
		env, _ := decode(&m)
		env.Attempt = 1
		if env.Headers == nil {
			env.Headers = map[string]string{}
		}
		env.Headers[queue.HeaderReplayed] = "1"
		if err := d.write(ctx, d.message(&env, time.Now())); err != nil {
			return n, err
		}
		if err := r.CommitMessages(ctx, m); err != nil {
			return n, d.errorf("commit %q: %v (the message may be replayed twice)", d.dlq, err)
		}
		n++
	}
	return n, nil
}

// reader reads topic in its group; its connects retry until stop is
// closed (see patientDialer).
//
// MaxWait is a fetch's read deadline, and kafka-go asks the broker to
// answer 1 s (a quarter, below 1 s) before it. At 100 ms the 25 ms slack
// was missed whenever the machine was loaded: fetches timed out, dropped
// their connection and backed off, and a consumer crawled. At 1.5 s the
// broker holds an empty fetch 0.5 s (a message is returned as soon as it
// arrives) with 1 s of slack.
func (d *driver) reader(topic string, capacity int, stop <-chan struct{}) *kgo.Reader {
	return kgo.NewReader(kgo.ReaderConfig{
		Brokers:           d.opts.Brokers,
		Dialer:            patientDialer(stop),
		GroupID:           group(topic),
		Topic:             topic,
		StartOffset:       kgo.FirstOffset, // never skip what came before the first commit
		MinBytes:          1,
		MaxBytes:          10 << 20,
		MaxWait:           1500 * time.Millisecond,
		QueueCapacity:     max(capacity, 1),
		CommitInterval:    0, // commits are synchronous, after the handler
		HeartbeatInterval: time.Second,
		SessionTimeout:    10 * time.Second,
		RebalanceTimeout:  5 * time.Second,
		JoinGroupBackoff:  200 * time.Millisecond,
		ReadBackoffMin:    20 * time.Millisecond,
		ReadBackoffMax:    500 * time.Millisecond,
		MaxAttempts:       3,
		ErrorLogger:       kgo.LoggerFunc(func(f string, a ...any) { slog.Debug("kafka reader: " + fmt.Sprintf(f, a...)) }),
	})
}

func (d *driver) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	return d.w.Close()
}
