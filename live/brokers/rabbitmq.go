package brokers

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/nbac/nbac/emit/plan"
	"github.com/nbac/nbac/runtime"
	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/rabbitmq"
	"github.com/nbac/nbac/schema"
)

// State is what a broker has of one declaration.
type State string

const (
	Present  State = "present"  // declared with the model's arguments
	Missing  State = "missing"  // apply declares it
	Conflict State = "conflict" // exists with other arguments; apply leaves it
)

// Queue is one declaration of a model queue against the broker.
type Queue struct {
	Model  *schema.Queue
	Broker *schema.Broker
	rabbitmq.Declaration
	State State
	// Reason is the broker's word on a conflict (the inequivalent argument).
	Reason string
	url    string
}

// Plan is the queues of a model against their brokers.
type Plan struct {
	Queues []Queue
	Notes  []string
}

// Compute checks every queue of m whose broker is RabbitMQ; getenv reads
// the brokers' url_env variables, as the runtime does. A broker that does
// not answer is a note.
func Compute(ctx context.Context, m *schema.Model, getenv func(string) (string, bool)) (*Plan, error) {
	p := &Plan{}
	unreachable := map[string]bool{}
	others := map[string]bool{}
	for i := range m.Queues {
		q := &m.Queues[i]
		br := m.Broker(q.Broker)
		if br == nil {
			continue
		}
		if br.Type != "rabbitmq" {
			others[br.Type] = true
			continue
		}
		if unreachable[br.Name] {
			continue
		}
		u, err := runtime.AMQPURL(br, getenv)
		if err != nil {
			unreachable[br.Name] = true
			p.Notes = append(p.Notes, fmt.Sprintf("%v: its queues are not compared", err))
			continue
		}
		states, err := check(ctx, u, rabbitmq.Declarations(queue.ConfigFrom(q)))
		if err != nil {
			unreachable[br.Name] = true
			p.Notes = append(p.Notes, fmt.Sprintf("broker %q: RabbitMQ does not answer at %s (%v): its queues are not compared", br.Name, redact(u), err))
			continue
		}
		for _, s := range states {
			s.Model, s.Broker, s.url = q, br, u
			p.Queues = append(p.Queues, s)
		}
	}
	kinds := make([]string, 0, len(others))
	for k := range others {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		if k != "memory" {
			p.Notes = append(p.Notes, fmt.Sprintf("queues on %s brokers are not compared with the broker yet (the runtime declares them at start)", k))
		}
	}
	return p, nil
}

// timeout bounds one broker conversation.
const timeout = 30 * time.Second

// check finds each declaration on the broker: a passive declare says
// whether it exists; a declare with the model's arguments of an existing
// queue changes nothing and fails with PRECONDITION_FAILED when they
// differ. Each failed call closes its channel, so each gets a fresh one.
func check(ctx context.Context, u string, decls []rabbitmq.Declaration) ([]Queue, error) {
	conn, err := amqp.DialConfig(u, amqp.Config{Dial: amqp.DefaultDial(timeout), Properties: amqp.Table{"connection_name": "nbac plan -live"}})
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var out []Queue
	for _, d := range decls {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		q := Queue{Declaration: d, State: Present}
		err := onChannel(conn, func(ch *amqp.Channel) error {
			_, err := ch.QueueDeclarePassive(d.Name, true, false, false, false, nil)
			return err
		})
		var ae *amqp.Error
		switch {
		case errors.As(err, &ae) && ae.Code == amqp.NotFound:
			q.State = Missing
		case err != nil:
			return nil, err
		default:
			err = onChannel(conn, func(ch *amqp.Channel) error {
				_, err := ch.QueueDeclare(d.Name, true, false, false, false, d.Args)
				return err
			})
			switch {
			case errors.As(err, &ae) && ae.Code == amqp.PreconditionFailed:
				q.State, q.Reason = Conflict, ae.Reason
			case err != nil:
				return nil, err
			}
		}
		out = append(out, q)
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

// redact drops a URL's password, for messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// Changes is p in emit/plan's format: per model queue, its missing
// declarations as added objects (kind RabbitMQQueue) with their arguments,
// and its conflicts as changed objects with the broker's reason.
func (p *Plan) Changes() []plan.FileChange {
	var out []plan.FileChange
	byQueue := map[*schema.Queue]int{}
	for _, q := range p.Queues {
		if q.State == Present {
			continue
		}
		i, ok := byQueue[q.Model]
		if !ok {
			i = len(out)
			byQueue[q.Model] = i
			out = append(out, plan.FileChange{Path: "rabbitmq " + redact(q.url), Action: plan.Change,
				Origin: fmt.Sprintf("queue %q", q.Model.Name), Range: q.Model.Src.Range("")})
		}
		oc := plan.ObjectChange{Kind: "RabbitMQQueue", Namespace: q.Broker.Name, Name: q.Name, Action: plan.Add}
		if q.State == Conflict {
			oc.Action = plan.Change
			oc.Note = "conflict: the queue exists with other arguments; RabbitMQ cannot change them and nbac never deletes a queue: drain and delete it, or rename the queue block"
			oc.Fields = []plan.FieldChange{{Path: "arguments", Before: q.Reason, After: argsText(q.Args), HasBefore: true, HasAfter: true}}
		}
		out[i].Objects = append(out[i].Objects, oc)
	}
	for i := range out {
		if !slices.ContainsFunc(out[i].Objects, func(o plan.ObjectChange) bool { return o.Action != plan.Add }) {
			out[i].Action = plan.Add
		}
	}
	return out
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

// Conflicts lists the declarations apply leaves as they are.
func (p *Plan) Conflicts() []Queue {
	var out []Queue
	for _, q := range p.Queues {
		if q.State == Conflict {
			out = append(out, q)
		}
	}
	return out
}

// Apply declares the missing queues with the model's arguments and returns
// their names; it never deletes or changes an existing queue.
func (p *Plan) Apply(ctx context.Context) ([]string, error) {
	byURL := map[string][]rabbitmq.Declaration{}
	var urls []string
	for _, q := range p.Queues {
		if q.State != Missing {
			continue
		}
		if _, ok := byURL[q.url]; !ok {
			urls = append(urls, q.url)
		}
		byURL[q.url] = append(byURL[q.url], q.Declaration)
	}
	var done []string
	for _, u := range urls {
		conn, err := amqp.DialConfig(u, amqp.Config{Dial: amqp.DefaultDial(timeout), Properties: amqp.Table{"connection_name": "nbac apply"}})
		if err != nil {
			return done, fmt.Errorf("RabbitMQ at %s: %w", redact(u), err)
		}
		for _, d := range byURL[u] {
			if err := ctx.Err(); err != nil {
				conn.Close()
				return done, err
			}
			err := onChannel(conn, func(ch *amqp.Channel) error {
				_, err := ch.QueueDeclare(d.Name, true, false, false, false, d.Args)
				return err
			})
			if err != nil {
				conn.Close()
				return done, fmt.Errorf("declaring queue %q: %w", d.Name, err)
			}
			done = append(done, d.Name)
		}
		conn.Close()
	}
	return done, nil
}
