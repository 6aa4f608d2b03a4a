package brokers

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/nbac/nbac/emit/plan"
	"github.com/nbac/nbac/runtime"
	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/rabbitmq"
	"github.com/nbac/nbac/schema"
)

// rabbitEndpoint is a RabbitMQ broker at the URL the runtime uses.
type rabbitEndpoint struct{ url string }

func (e *rabbitEndpoint) where() string { return "rabbitmq " + redact(e.url) }

func (e *rabbitEndpoint) dial(name string) (*amqp.Connection, error) {
	return amqp.DialConfig(e.url, amqp.Config{Dial: amqp.DefaultDial(answer), Properties: amqp.Table{"connection_name": name}})
}

// compareRabbitMQ finds each declaration of rabbitmq.Declarations on the
// broker: a passive declare says whether it exists; a declare with the
// model's arguments of an existing queue changes nothing and fails with
// PRECONDITION_FAILED when they differ. Each failed call closes its
// channel, so each gets a fresh one.
func compareRabbitMQ(ctx context.Context, br *schema.Broker, qs []*schema.Queue, getenv func(string) (string, bool)) ([]Object, error) {
	u, err := runtime.AMQPURL(br, getenv)
	if err != nil {
		return nil, err
	}
	ep := &rabbitEndpoint{url: u}
	conn, err := ep.dial("nbac plan -live")
	if err != nil {
		return nil, unreachable(br, "RabbitMQ", redact(u), err)
	}
	defer conn.Close()
	var out []Object
	for _, q := range qs {
		for _, d := range rabbitmq.Declarations(queue.ConfigFrom(q)) {
			if err := ctx.Err(); err != nil {
				return nil, unreachable(br, "RabbitMQ", redact(u), err)
			}
			o := Object{Model: q, Broker: br, Kind: "RabbitMQQueue", Name: d.Name, State: Present, ep: ep, spec: d}
			err := onChannel(conn, func(ch *amqp.Channel) error {
				_, err := ch.QueueDeclarePassive(d.Name, true, false, false, false, nil)
				return err
			})
			var ae *amqp.Error
			switch {
			case errors.As(err, &ae) && ae.Code == amqp.NotFound:
				o.State = Missing
			case err != nil:
				return nil, unreachable(br, "RabbitMQ", redact(u), err)
			default:
				err = onChannel(conn, func(ch *amqp.Channel) error {
					_, err := ch.QueueDeclare(d.Name, true, false, false, false, d.Args)
					return err
				})
				switch {
				case errors.As(err, &ae) && ae.Code == amqp.PreconditionFailed:
					o.State = Conflict
					o.Reason = "the queue exists with other arguments"
					o.Remedy = "RabbitMQ cannot change them: drain and delete the queue, or rename the queue block"
					o.Fields = []plan.FieldChange{{Path: "arguments", Before: ae.Reason, After: argsText(d.Args), HasBefore: true, HasAfter: true}}
				case err != nil:
					return nil, unreachable(br, "RabbitMQ", redact(u), err)
				}
			}
			out = append(out, o)
		}
	}
	return out, nil
}

func onChannel(conn *amqp.Connection, f func(*amqp.Channel) error) error {
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	err = f(ch)
	ch.Close()
	return err
}

// declare declares the missing queues with the model's arguments, as the
// driver does (durable, not exclusive, not auto-deleted).
func (e *rabbitEndpoint) declare(ctx context.Context, missing []Object) ([]Object, error) {
	conn, err := e.dial("nbac apply")
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var done []Object
	for _, o := range missing {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		d := o.spec.(rabbitmq.Declaration)
		err := onChannel(conn, func(ch *amqp.Channel) error {
			_, err := ch.QueueDeclare(d.Name, true, false, false, false, d.Args)
			return err
		})
		if err != nil {
			return done, fmt.Errorf("declaring queue %q: %w", d.Name, err)
		}
		done = append(done, o)
	}
	return done, nil
}

func argsText(t amqp.Table) string {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s=%v", k, t[k])
	}
	if b.Len() == 0 {
		return "(none)"
	}
	return b.String()
}
