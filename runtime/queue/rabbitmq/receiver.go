package rabbitmq

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/nbac/nbac/runtime/queue"
)

func (d *driver) NewReceiver(context.Context) (queue.Receiver, error) {
	return &receiver{d: d}, nil
}

type receiver struct {
	d     *driver
	mu    sync.Mutex
	conns []*amqp.Connection
}

// Run consumes until ctx is done, redialling with backoff whenever the
// connection or channel dies (a broker restart, a cut, a server-side kill).
func (r *receiver) Run(ctx context.Context, credit *queue.Credit, out chan<- *queue.Delivery) error {
	wait := 100 * time.Millisecond
	for {
		started := time.Now()
		err := r.session(ctx, credit, out)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Since(started) > 5*time.Second {
			wait = 100 * time.Millisecond
		}
		r.d.log.Warn("consumer lost its connection; reconnecting", "err", err, "in", wait)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait = min(wait*2, 5*time.Second)
	}
}

func (r *receiver) session(ctx context.Context, credit *queue.Credit, out chan<- *queue.Delivery) error {
	d := r.d
	s, err := d.dial(ctx, false)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.conns = append(r.conns, s.conn)
	r.mu.Unlock()
	ch := s.ch
	if err := ch.Qos(d.top.cfg.Prefetch, 0, false); err != nil {
		s.conn.Close()
		return d.errorf("set prefetch: %v", err)
	}
	ctag := "nbac-" + strconv.FormatUint(d.ids.Add(1), 36)
	dlvs, err := ch.Consume(d.top.work, ctag, false, false, false, false, nil)
	if err != nil {
		s.conn.Close()
		return d.errorf("consume %q: %v", d.top.work, err)
	}
	for {
		select {
		case <-ctx.Done():
			r.stop(ch, ctag, dlvs)
			return ctx.Err()
		case m, ok := <-dlvs:
			if !ok {
				s.conn.Close()
				return d.errorf("delivery channel closed")
			}
			env, due := d.top.decode(&m)
			if wait := time.Until(due); !due.IsZero() && wait > 0 {
				d.reroute(ctx, &m, wait)
				continue
			}
			if err := credit.Acquire(ctx); err != nil {
				_ = m.Nack(false, true)
				r.stop(ch, ctag, dlvs)
				return err
			}
			env.Priority = queue.LevelName(env.Level)
			out <- &queue.Delivery{
				Message:     env.Message,
				ID:          strconv.FormatUint(m.DeliveryTag, 10),
				Attempt:     env.Attempt,
				Redelivered: m.Redelivered,
				Queue:       d.top.work,
				Level:       env.Level,
				Tag:         &tag{ch: ch, tag: m.DeliveryTag, env: env},
			}
		}
	}
}

// reroute sends an early delayed message through the next tier. It keeps
// the due time, so the total wait is what the publisher asked for.
func (d *driver) reroute(ctx context.Context, m *amqp.Delivery, wait time.Duration) {
	h := make(amqp.Table, len(m.Headers))
	for k, v := range m.Headers {
		if k != "x-death" && !isDeathHeader(k) {
			h[k] = v
		}
	}
	pub := amqp.Publishing{Headers: h, DeliveryMode: amqp.Persistent, Body: m.Body, Priority: m.Priority}
	if err := d.send(ctx, []outgoing{{d.top.tierFor(wait), pub}}); err != nil {
		d.log.Warn("could not move a delayed message to its next tier; it comes back", "err", err)
		_ = m.Nack(false, true)
		return
	}
	_ = m.Ack(false)
}

func isDeathHeader(k string) bool {
	switch k {
	case "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason",
		"x-last-death-exchange", "x-last-death-queue", "x-last-death-reason":
		return true
	}
	return false
}

// stop cancels the consumer and gives back deliveries that arrived but
// were not handed out; the channel stays open so in-flight work can still
// be acked.
func (r *receiver) stop(ch *amqp.Channel, ctag string, dlvs <-chan amqp.Delivery) {
	if err := ch.Cancel(ctag, false); err != nil && !errors.Is(err, amqp.ErrClosed) {
		r.d.log.Warn("cancel consumer", "err", err)
		return
	}
	for m := range dlvs {
		_ = m.Nack(false, true)
	}
}

// Close closes every connection the receiver opened; the broker requeues
// whatever is still unacked on them.
func (r *receiver) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		_ = c.Close()
	}
	r.conns = nil
	return nil
}
