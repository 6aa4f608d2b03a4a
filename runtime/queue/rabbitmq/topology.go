package rabbitmq

import (
	"fmt"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/nbac/nbac/runtime/queue"
)

// tiers are the delay queues' TTLs. A wait is made of hops through the
// largest tier not longer than what remains, so a delay overshoots by at
// most the smallest tier.
var tiers = []time.Duration{
	50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// Header names private to the driver.
const (
	hAttempt = "x-nbac-attempt"
	hDue     = "x-nbac-due" // unix milliseconds
	hKey     = "x-nbac-key"
)

type topology struct {
	work, dlq string
	tiers     []time.Duration
	cfg       queue.Config
}

func newTopology(cfg queue.Config) topology {
	t := topology{work: cfg.Name, dlq: cfg.Name + ".dlq", cfg: cfg}
	longest := cfg.LongestDelay()
	for i, d := range tiers {
		if i == 0 || d <= longest {
			t.tiers = append(t.tiers, d)
		}
	}
	return t
}

func (t topology) tierName(d time.Duration) string {
	return fmt.Sprintf("%s.delay.%s", t.work, d)
}

// tierFor picks the tier for a remaining wait.
func (t topology) tierFor(wait time.Duration) string {
	pick := t.tiers[0]
	for _, d := range t.tiers {
		if d <= wait {
			pick = d
		}
	}
	return t.tierName(pick)
}

// declare creates every queue; declaring an existing queue with the same
// arguments is a no-op, so this runs on every connection. version is the
// broker's, for checkBroker and the errors.
func (t topology) declare(ch *amqp.Channel, version string) error {
	if err := t.checkBroker(version); err != nil {
		return err
	}
	for _, d := range t.declarations() {
		if _, err := ch.QueueDeclare(d.Name, true, false, false, false, d.Args); err != nil {
			return t.declareError(d.Name, version, err)
		}
	}
	return nil
}

// encode turns an envelope into a publishing and its routing key.
func (t topology) encode(env *queue.Envelope, now time.Time) (string, amqp.Publishing) {
	h := make(amqp.Table, len(env.Headers)+3)
	for k, v := range env.Headers {
		h[k] = v
	}
	h[hAttempt] = int32(env.Attempt)
	if env.Key != "" {
		h[hKey] = env.Key
	}
	rk := t.work
	if env.Delay > 0 {
		h[hDue] = queue.DueMilli(now.Add(env.Delay))
		rk = t.tierFor(env.Delay)
	}
	p := amqp.Publishing{Headers: h, DeliveryMode: amqp.Persistent, Body: env.Body}
	if t.cfg.Priorities {
		p.Priority = uint8(env.Level)
	}
	return rk, p
}

// decode turns a delivery back into the runtime's view. Broker headers
// (x-death and friends) are dropped.
func (t topology) decode(d *amqp.Delivery) (queue.Envelope, time.Time) {
	env := queue.Envelope{Message: queue.Message{Body: d.Body}, Attempt: 1, Level: 1}
	var due time.Time
	for k, v := range d.Headers {
		switch k {
		case hAttempt:
			if n, ok := toInt(v); ok && n > 0 {
				env.Attempt = int(n)
			}
		case hDue:
			if n, ok := toInt(v); ok {
				due = time.UnixMilli(n)
			}
		case hKey:
			env.Key, _ = v.(string)
		case "x-death", "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason",
			"x-last-death-exchange", "x-last-death-queue", "x-last-death-reason", "x-delivery-count":
		default:
			if env.Headers == nil {
				env.Headers = map[string]string{}
			}
			if s, ok := v.(string); ok {
				env.Headers[k] = s
			} else {
				env.Headers[k] = fmt.Sprint(v)
			}
		}
	}
	if t.cfg.Priorities {
		env.Level = min(int(d.Priority), queue.Levels-1)
	}
	return env, due
}

func toInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case int:
		return int64(n), true
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	}
	return 0, false
}

// QueueNames lists every queue the driver declares for cfg: the work queue,
// its dead-letter queue and its delay tiers.
func QueueNames(cfg queue.Config) []string {
	t := newTopology(cfg)
	names := []string{t.work, t.dlq}
	for _, d := range t.tiers {
		names = append(names, t.tierName(d))
	}
	return names
}
