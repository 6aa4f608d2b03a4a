package brokers

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nbac/nbac/emit/plan"
	"github.com/nbac/nbac/schema"
)

// State is what a broker has of one declaration.
type State string

const (
	Present  State = "present"  // as the runtime declares it
	Missing  State = "missing"  // apply declares it
	Conflict State = "conflict" // exists otherwise; apply leaves it
)

// Object is one thing the runtime's driver declares for a model queue (a
// RabbitMQ queue, a Redis stream with its consumer group, a Kafka topic),
// as the broker has it.
type Object struct {
	Model  *schema.Queue
	Broker *schema.Broker
	// Kind is the plan's object kind: RabbitMQQueue, RedisStream, KafkaTopic.
	Kind string
	// Name is the queue, stream key or topic.
	Name  string
	State State
	// Reason says what differs: on a conflict, the broker's word or what
	// the key or topic is; on a Redis stream that lacks its group, that.
	Reason string
	// Fields are the plan's field changes (a missing consumer group, the
	// arguments or partition count that differ).
	Fields []plan.FieldChange
	// Remedy is what to do about a conflict, shown in the plan and by apply.
	Remedy string
	ep     endpoint
	spec   any // the driver's declaration, for ep.declare
}

// endpoint is one broker as the runtime reaches it.
type endpoint interface {
	// where names it in the plan, without secrets: "redis 127.0.0.1:6379".
	where() string
	// declare creates the missing objects, in order, as the runtime's
	// driver does, and returns those it declared.
	declare(ctx context.Context, missing []Object) ([]Object, error)
}

// Plan is the queues of a model against their brokers.
type Plan struct {
	Objects []Object
	Notes   []string
	// secrets are, per broker name, what apply's messages must not print.
	secrets map[string][]string
}

// answer bounds how long a broker may take to answer at all (a refused
// connection fails at once); conversation bounds one broker's whole
// comparison, or apply's declarations on it.
const (
	answer       = 10 * time.Second
	conversation = 2 * time.Minute
)

// Compute compares every queue of m with its broker (RabbitMQ, Redis
// Streams, Kafka; memory brokers live in the process and have nothing to
// compare). getenv reads the variables the brokers name, as the runtime
// does; it is called from several goroutines. Brokers are compared at the same time, so one that does not
// answer costs its timeout once; it is a note, and the rest stands.
func Compute(ctx context.Context, m *schema.Model, getenv func(string) (string, bool)) (*Plan, error) {
	type result struct {
		objs []Object
		err  error
	}
	results := make([]result, len(m.Brokers))
	var wg sync.WaitGroup
	for i := range m.Brokers {
		br := &m.Brokers[i]
		var qs []*schema.Queue
		for j := range m.Queues {
			if m.Queues[j].Broker == br.Name {
				qs = append(qs, &m.Queues[j])
			}
		}
		if len(qs) == 0 {
			continue
		}
		wg.Go(func() {
			bctx, cancel := context.WithTimeout(ctx, conversation)
			defer cancel()
			r := &results[i]
			switch br.Type {
			case "rabbitmq":
				r.objs, r.err = compareRabbitMQ(bctx, br, qs, getenv)
			case "redis":
				r.objs, r.err = compareRedis(bctx, m, br, qs, getenv)
			case "kafka":
				r.objs, r.err = compareKafka(bctx, br, qs, getenv)
			case "memory":
				// Lives in each process: nothing to compare.
			default:
				r.err = fmt.Errorf("broker %q has type %q, which the runtime has no queue driver for", br.Name, br.Type)
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := &Plan{secrets: map[string][]string{}}
	for i, r := range results {
		br := &m.Brokers[i]
		p.secrets[br.Name] = secrets(m, br, getenv)
		if r.err != nil {
			p.Notes = append(p.Notes, scrub(r.err.Error(), p.secrets[br.Name])+": its queues are not compared")
			continue
		}
		p.Objects = append(p.Objects, r.objs...)
	}
	return p, nil
}

// unreachable is a broker that did not answer.
func unreachable(br *schema.Broker, kind, where string, err error) error {
	return fmt.Errorf("broker %q: %s does not answer at %s (%v)", br.Name, kind, where, err)
}

// Changes is p in emit/plan's format: per model queue and broker, its
// missing objects as added (or, a Redis stream lacking its group, changed
// with that field), its conflicts as changed with what differs and a note.
func (p *Plan) Changes() []plan.FileChange {
	var out []plan.FileChange
	type key struct {
		q  *schema.Queue
		ep endpoint
	}
	at := map[key]int{}
	for _, o := range p.Objects {
		if o.State == Present {
			continue
		}
		i, ok := at[key{o.Model, o.ep}]
		if !ok {
			i = len(out)
			at[key{o.Model, o.ep}] = i
			out = append(out, plan.FileChange{Path: o.ep.where(), Action: plan.Change,
				Origin: fmt.Sprintf("queue %q", o.Model.Name), Range: o.Model.Src.Range("")})
		}
		oc := plan.ObjectChange{Kind: o.Kind, Namespace: o.Broker.Name, Name: o.Name, Action: plan.Add, Fields: o.Fields}
		switch {
		case o.State == Conflict:
			oc.Action = plan.Change
			oc.Note = "conflict: " + o.Reason + "; " + o.Remedy
		case o.Reason != "":
			oc.Action = plan.Change
			oc.Note = o.Reason
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

// Conflicts lists the objects apply leaves as they are.
func (p *Plan) Conflicts() []Object {
	var out []Object
	for _, o := range p.Objects {
		if o.State == Conflict {
			out = append(out, o)
		}
	}
	return out
}

// ConflictError says what apply left and what to do, or is nil.
func (p *Plan) ConflictError() error {
	c := p.Conflicts()
	if len(c) == 0 {
		return nil
	}
	lines := make([]string, len(c))
	for i, o := range c {
		// The fields carry the broker's own word (RabbitMQ's
		// PRECONDITION_FAILED reason, the partition count): the error says
		// it too, for a log that has no plan above it.
		var fields []string
		for _, f := range o.Fields {
			fields = append(fields, fmt.Sprintf("%s: %v -> %v", f.Path, f.Before, f.After))
		}
		detail := ""
		if len(fields) > 0 {
			detail = " (" + strings.Join(fields, ", ") + ")"
		}
		lines[i] = fmt.Sprintf("%s %s/%s: %s%s; %s", o.Kind, o.Broker.Name, o.Name, o.Reason, detail, o.Remedy)
	}
	return errors.New("left as they are (nbac never deletes or reshapes a queue, stream or topic): " + strings.Join(lines, "; "))
}

// Apply declares the missing objects as the runtime's drivers do, broker
// by broker, and returns those it declared; it never deletes or changes
// an existing one.
func (p *Plan) Apply(ctx context.Context) ([]Object, error) {
	var eps []endpoint
	missing := map[endpoint][]Object{}
	for _, o := range p.Objects {
		if o.State != Missing {
			continue
		}
		if _, ok := missing[o.ep]; !ok {
			eps = append(eps, o.ep)
		}
		missing[o.ep] = append(missing[o.ep], o)
	}
	var done []Object
	for _, ep := range eps {
		bctx, cancel := context.WithTimeout(ctx, conversation)
		d, err := ep.declare(bctx, missing[ep])
		cancel()
		done = append(done, d...)
		if err != nil {
			// Not wrapped: the message is scrubbed of the broker's secrets.
			return done, fmt.Errorf("%s: %s", ep.where(), scrub(err.Error(), p.secrets[missing[ep][0].Broker.Name]))
		}
	}
	return done, nil
}

// redact drops a URL's password, for messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// secrets are the passwords br's connection settings hold, so that no
// message (a driver's error may quote what it was given) prints them.
func secrets(m *schema.Model, br *schema.Broker, getenv func(string) (string, bool)) []string {
	var out []string
	fromURL := func(env string) {
		if env == "" {
			return
		}
		v, ok := getenv(env)
		if !ok || v == "" {
			return
		}
		out = append(out, v) // the whole URL, should it be quoted unparsed
		if u, err := url.Parse(v); err == nil {
			if pw, ok := u.User.Password(); ok && pw != "" {
				out = append(out, pw)
			}
		}
	}
	fromURL(br.URLEnv)
	if r := m.RedisNamed(br.Redis); br.Redis != "" && r != nil {
		fromURL(r.URLEnv)
		if r.PasswordEnv != "" {
			if pw, ok := getenv(r.PasswordEnv); ok && pw != "" {
				out = append(out, pw)
			}
		}
	}
	return out
}

// scrub replaces each secret in s (longest first, so a URL goes before the
// password inside it).
func scrub(s string, secrets []string) string {
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	for _, x := range secrets {
		if len(x) < 3 {
			continue // replacing one or two characters would garble the message
		}
		repl := "xxxxx"
		if strings.Contains(x, "://") {
			repl = redact(x)
		}
		s = strings.ReplaceAll(s, x, repl)
	}
	return s
}
