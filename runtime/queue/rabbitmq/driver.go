package rabbitmq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/nbac/nbac/runtime/queue"
)

// Options are the connection settings.
type Options struct {
	// URL is amqp://user:pass@host:port/vhost.
	URL string
	// ConnectionName is shown by rabbitmqctl list_connections.
	ConnectionName string
	Logger         *slog.Logger
}

// New returns the driver of queue cfg on the broker at opts.URL. It does not
// connect until first used.
func New(cfg queue.Config, opts Options) queue.Driver {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ConnectionName == "" {
		opts.ConnectionName = "nbac:" + cfg.Name
	}
	return &driver{top: newTopology(cfg), opts: opts, log: opts.Logger.With("queue", cfg.Name, "broker", redact(opts.URL))}
}

type driver struct {
	top  topology
	opts Options
	log  *slog.Logger

	mu     sync.Mutex
	pub    *session
	closed bool
	ids    atomic.Uint64
}

// session is one connection with a confirm-mode channel.
type session struct {
	conn *amqp.Connection
	ch   *amqp.Channel
	dead atomic.Bool

	retMu    sync.Mutex
	returns  chan amqp.Return
	returned map[string]amqp.Return
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable amqp url)"
	}
	return u.Redacted()
}

func (d *driver) errorf(format string, args ...any) error {
	return fmt.Errorf("rabbitmq %s: %s", redact(d.opts.URL), fmt.Sprintf(format, args...))
}

// dial opens a connection and a confirm channel and declares the topology.
func (d *driver) dial(ctx context.Context, confirm bool) (*session, error) {
	cfg := amqp.Config{
		Heartbeat:  10 * time.Second,
		Properties: amqp.Table{"connection_name": d.opts.ConnectionName},
		Dial:       amqp.DefaultDial(5 * time.Second),
	}
	if dl, ok := ctx.Deadline(); ok {
		cfg.Dial = amqp.DefaultDial(max(time.Until(dl), 100*time.Millisecond))
	}
	conn, err := amqp.DialConfig(d.opts.URL, cfg)
	if err != nil {
		return nil, d.errorf("connect: %v (is the broker up and the url in the broker block's url_env right?)", err)
	}
	ch, err := conn.Channel()
	if err != nil {
		conn.Close()
		return nil, d.errorf("open channel: %v", err)
	}
	if err := d.top.declare(ch, serverVersion(conn)); err != nil {
		conn.Close()
		return nil, d.errorf("%v", err)
	}
	s := &session{conn: conn, ch: ch}
	if confirm {
		if err := ch.Confirm(false); err != nil {
			conn.Close()
			return nil, d.errorf("enable publisher confirms: %v", err)
		}
		// Returns must be drained or the connection's reader blocks.
		s.returns = ch.NotifyReturn(make(chan amqp.Return, 256))
		s.returned = map[string]amqp.Return{}
		go func() {
			for r := range s.returns {
				s.retMu.Lock()
				s.returned[r.MessageId] = r
				s.retMu.Unlock()
			}
		}()
	}
	// NotifyClose channels are buffered and only ever get one value, so
	// the library never blocks on them; the goroutine marks the session
	// dead for the next caller.
	closed := conn.NotifyClose(make(chan *amqp.Error, 1))
	chClosed := ch.NotifyClose(make(chan *amqp.Error, 1))
	go func() {
		select {
		case <-closed:
		case <-chClosed:
		}
		s.dead.Store(true)
		conn.Close()
	}()
	return s, nil
}

// wasReturned reports whether the broker returned message id as
// unroutable. The return frame precedes the confirm, so by the time the
// confirm is seen the return is in the channel or already recorded.
func (s *session) wasReturned(id string) (amqp.Return, bool) {
	s.retMu.Lock()
	defer s.retMu.Unlock()
drain:
	for {
		select {
		case r, ok := <-s.returns:
			if !ok {
				break drain
			}
			s.returned[r.MessageId] = r
		default:
			break drain
		}
	}
	r, ok := s.returned[id]
	if ok {
		delete(s.returned, id)
	}
	return r, ok
}

// publisher returns the live publishing session, dialling when there is
// none: the driver's own reconnect for the publish side.
func (d *driver) publisher(ctx context.Context) (*session, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, d.errorf("driver closed")
	}
	if d.pub != nil && !d.pub.dead.Load() {
		return d.pub, nil
	}
	s, err := d.dial(ctx, true)
	if err != nil {
		return nil, err
	}
	d.pub = s
	return s, nil
}

func (d *driver) Declare(ctx context.Context) error {
	_, err := d.publisher(ctx)
	return err
}

type outgoing struct {
	rk  string
	pub amqp.Publishing
}

func (d *driver) Publish(ctx context.Context, msgs []queue.Envelope) error {
	now := time.Now()
	out := make([]outgoing, len(msgs))
	for i := range msgs {
		out[i].rk, out[i].pub = d.top.encode(&msgs[i], now)
	}
	return d.send(ctx, out)
}

// send publishes back to back and then waits for every confirm: a batch
// (and concurrent callers) share the channel's confirm window.
func (d *driver) send(ctx context.Context, out []outgoing) error {
	s, err := d.publisher(ctx)
	if err != nil {
		return err
	}
	dcs := make([]*amqp.DeferredConfirmation, len(out))
	for i := range out {
		out[i].pub.MessageId = strconv.FormatUint(d.ids.Add(1), 36)
		dc, err := s.ch.PublishWithDeferredConfirmWithContext(ctx, "", out[i].rk, true, false, out[i].pub)
		if err != nil {
			s.dead.Store(true)
			return d.errorf("publish to %q: %v", out[i].rk, err)
		}
		dcs[i] = dc
	}
	for i, dc := range dcs {
		ok, err := dc.WaitContext(ctx)
		if err != nil {
			return d.errorf("waiting for the publish confirm of %q: %v (the message may or may not be stored)", out[i].rk, err)
		}
		if !ok {
			return d.errorf("broker did not confirm a message to %q (nack or connection lost); publish it again", out[i].rk)
		}
		if r, returned := s.wasReturned(out[i].pub.MessageId); returned {
			return d.errorf("message to %q returned: %d %s (the queue does not exist; it is re-declared on reconnect)", out[i].rk, r.ReplyCode, r.ReplyText)
		}
	}
	return nil
}

// tag identifies a delivery on the channel that received it; a delivery
// from a dead channel cannot be settled and is redelivered by the broker.
type tag struct {
	ch  *amqp.Channel
	tag uint64
	env queue.Envelope
}

func (d *driver) Ack(_ context.Context, dl *queue.Delivery) error {
	t := dl.Tag.(*tag)
	if err := t.ch.Ack(t.tag, false); err != nil {
		return d.errorf("ack on %q: %v", d.top.work, err)
	}
	return nil
}

// System is the messaging.system span attribute.
func (d *driver) System() string { return "rabbitmq" }

func (d *driver) Retry(ctx context.Context, dl *queue.Delivery, delay time.Duration, headers map[string]string) error {
	t := dl.Tag.(*tag)
	env := t.env
	env.Headers = queue.AddHeaders(env.Headers, headers)
	env.Attempt = dl.Attempt + 1
	env.Delay = max(delay, time.Millisecond)
	rk, pub := d.top.encode(&env, time.Now())
	if err := d.send(ctx, []outgoing{{rk, pub}}); err != nil {
		return err
	}
	return d.Ack(ctx, dl)
}

func (d *driver) DeadLetter(ctx context.Context, dl *queue.Delivery, headers map[string]string) error {
	t := dl.Tag.(*tag)
	env := t.env
	env.Headers = queue.AddHeaders(env.Headers, headers)
	env.Attempt = dl.Attempt
	env.Delay = 0
	_, pub := d.top.encode(&env, time.Now())
	if err := d.send(ctx, []outgoing{{d.top.dlq, pub}}); err != nil {
		return err
	}
	return d.Ack(ctx, dl)
}

func (d *driver) Release(_ context.Context, dl *queue.Delivery) error {
	t := dl.Tag.(*tag)
	if err := t.ch.Nack(t.tag, false, true); err != nil {
		if errors.Is(err, amqp.ErrClosed) {
			return nil // the broker requeued it when the channel died
		}
		return d.errorf("requeue on %q: %v", d.top.work, err)
	}
	return nil
}

func (d *driver) Inspect(ctx context.Context) (queue.Stats, error) {
	s, err := d.publisher(ctx)
	if err != nil {
		return queue.Stats{}, err
	}
	// Passive declares close the channel on a missing queue, so they get
	// a channel of their own.
	ch, err := s.conn.Channel()
	if err != nil {
		return queue.Stats{}, d.errorf("open channel: %v", err)
	}
	defer ch.Close()
	st := queue.Stats{Unacked: -1}
	q, err := ch.QueueDeclarePassive(d.top.work, true, false, false, false, nil)
	if err != nil {
		return st, d.errorf("inspect %q: %v", d.top.work, err)
	}
	st.Ready, st.Consumers = int64(q.Messages), int64(q.Consumers)
	q, err = ch.QueueDeclarePassive(d.top.dlq, true, false, false, false, nil)
	if err != nil {
		return st, d.errorf("inspect %q: %v", d.top.dlq, err)
	}
	st.DeadLetters = int64(q.Messages)
	for _, tr := range d.top.tiers {
		q, err = ch.QueueDeclarePassive(d.top.tierName(tr), true, false, false, false, nil)
		if err != nil {
			return st, d.errorf("inspect %q: %v", d.top.tierName(tr), err)
		}
		st.Delayed += int64(q.Messages)
	}
	return st, nil
}

func (d *driver) ReplayDLQ(ctx context.Context, limit int) (int, error) {
	s, err := d.publisher(ctx)
	if err != nil {
		return 0, err
	}
	ch, err := s.conn.Channel()
	if err != nil {
		return 0, d.errorf("open channel: %v", err)
	}
	defer ch.Close()
	n := 0
	for limit <= 0 || n < limit {
		msg, ok, err := ch.Get(d.top.dlq, false)
		if err != nil {
			return n, d.errorf("get from %q: %v", d.top.dlq, err)
		}
		if !ok {
			break
		}
		env, _ := d.top.decode(&msg)
		env.Attempt = 1
		if env.Headers == nil {
			env.Headers = map[string]string{}
		}
		env.Headers[queue.HeaderReplayed] = "1"
		rk, pub := d.top.encode(&env, time.Now())
		// Confirmed on the queue before it leaves the DLQ: at-least-once.
		if err := d.send(ctx, []outgoing{{rk, pub}}); err != nil {
			_ = msg.Nack(false, true)
			return n, err
		}
		if err := msg.Ack(false); err != nil {
			return n, d.errorf("ack dead letter: %v (it may be replayed twice)", err)
		}
		n++
	}
	return n, nil
}

func (d *driver) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	if d.pub != nil {
		d.pub.dead.Store(true)
		return d.pub.conn.Close()
	}
	return nil
}
