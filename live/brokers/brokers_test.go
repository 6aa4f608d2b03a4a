package brokers

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/nbac/nbac/emit/plan"
	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/queuetest"
	"github.com/nbac/nbac/runtime/queue/rabbitmq"
	"github.com/nbac/nbac/runtime/queue/rabbitmq/rabbitmqtest"
	"github.com/nbac/nbac/schema"
)

const rabbitURL = "amqp://guest:guest@127.0.0.1:5672/"

// model is one queue on the shared RabbitMQ, under a name of this test's own.
func model(t *testing.T, priorities bool) *schema.Model {
	t.Helper()
	queuetest.RequireService(t, "RabbitMQ", "127.0.0.1:5672")
	name := fmt.Sprintf("nbac-live-%d", time.Now().UnixNano())
	m := &schema.Model{
		Brokers: []schema.Broker{{Name: "rmq", Type: "rabbitmq", URLEnv: "NBAC_TEST_AMQP_URL"}},
		Queues:  []schema.Queue{{Name: name, Broker: "rmq", Priorities: priorities, DeadLetter: true, Workers: 1}},
	}
	t.Cleanup(func() { deleteQueues(t, declared(m)) })
	return m
}

// declared is what the runtime's RabbitMQ driver declares for the queue.
func declared(m *schema.Model) []string {
	var names []string
	for _, d := range rabbitmq.Declarations(queue.ConfigFrom(&m.Queues[0])) {
		names = append(names, d.Name)
	}
	return names
}

func getenv(k string) (string, bool) {
	if k == "NBAC_TEST_AMQP_URL" {
		return rabbitURL, true
	}
	return "", false
}

func deleteQueues(t *testing.T, names []string) {
	if err := rabbitmqtest.DeleteQueues(rabbitURL, names...); err != nil {
		t.Logf("cleanup: %v", err)
	}
}

func names(objs []Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.Name
	}
	return out
}

// texts is a plan's objects and fields as WriteText prints them.
func texts(ch []plan.FileChange) string {
	var b strings.Builder
	for _, c := range ch {
		fmt.Fprintf(&b, "%s %s\n", c.Action, c.Path)
		for _, o := range c.Objects {
			fmt.Fprintf(&b, "  %s %s %s (%s)\n", o.Action, o.Kind, o.Name, o.Note)
			for _, f := range o.Fields {
				fmt.Fprintf(&b, "    %s\n", plan.FieldText(f))
			}
		}
	}
	return b.String()
}

func compute(t *testing.T, m *schema.Model) *Plan {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p, err := Compute(ctx, m, getenv)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A queue the broker lacks is planned as added with each declaration;
// apply declares them; the next plan is empty.
func TestMissingQueuesAreDeclared(t *testing.T) {
	m := model(t, true)
	p := compute(t, m)
	ch := p.Changes()
	want := declared(m)
	if len(ch) != 1 || ch[0].Action != plan.Add || len(ch[0].Objects) != len(want) {
		t.Fatalf("changes = %+v, want %v added", ch, want)
	}
	for i, o := range ch[0].Objects {
		if o.Name != want[i] || o.Action != plan.Add {
			t.Fatalf("object %d = %+v, want %s added", i, o, want[i])
		}
	}
	done, err := p.Apply(context.Background())
	if err != nil || strings.Join(names(done), ",") != strings.Join(want, ",") {
		t.Fatalf("apply: %v %v", names(done), err)
	}
	if again := compute(t, m).Changes(); len(again) != 0 {
		t.Fatalf("after apply: %+v", again)
	}
}

// A queue declared by someone else with other arguments is a conflict
// that names the argument as RabbitMQ does; apply does not touch it.
func TestConflictingArgumentsAreReportedNotFixed(t *testing.T) {
	m := model(t, false)
	conn, err := amqp.Dial(rabbitURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.QueueDeclare(m.Queues[0].Name, true, false, false, false, amqp.Table{"x-max-priority": int32(9)}); err != nil {
		t.Fatal(err)
	}
	p := compute(t, m)
	if len(p.Conflicts()) != 1 {
		t.Fatalf("conflicts = %+v, want the work queue", p.Conflicts())
	}
	ch := p.Changes()
	var texts []string
	for _, o := range ch[0].Objects {
		texts = append(texts, string(o.Action)+" "+o.Name)
		for _, f := range o.Fields {
			texts = append(texts, plan.FieldText(f))
		}
	}
	all := strings.Join(texts, "\n")
	if !strings.Contains(all, "change "+m.Queues[0].Name) || !strings.Contains(all, "inequivalent arg") || !strings.Contains(all, "add "+m.Queues[0].Name+".dlq") {
		t.Fatalf("plan:\n%s\nwant the conflict with RabbitMQ's reason and the missing DLQ", all)
	}
	if _, err := p.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := p.ConflictError(); err == nil || !strings.Contains(err.Error(), "RabbitMQQueue rmq/"+m.Queues[0].Name+":") {
		t.Fatalf("conflict error = %v", err)
	}
	if n := len(compute(t, m).Conflicts()); n != 1 {
		t.Fatalf("apply changed the conflicting queue: %d conflicts left", n)
	}
}

// A broker that does not answer is a note; the plan stands.
func TestUnreachableBrokerIsANote(t *testing.T) {
	m := &schema.Model{
		Brokers: []schema.Broker{{Name: "gone", Type: "rabbitmq", Addresses: []string{"127.0.0.1:1"}}},
		Queues:  []schema.Queue{{Name: "q", Broker: "gone"}},
	}
	p := compute(t, m)
	if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], `broker "gone": RabbitMQ does not answer`) {
		t.Fatalf("notes = %q", p.Notes)
	}
	// Nor is a url_env that is not set: the runtime could not connect either.
	m.Brokers[0] = schema.Broker{Name: "unset", Type: "rabbitmq", URLEnv: "NBAC_TEST_UNSET"}
	m.Queues[0].Broker = "unset"
	p = compute(t, m)
	if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], "NBAC_TEST_UNSET") || len(p.Changes()) != 0 {
		t.Fatalf("notes = %q", p.Notes)
	}
	// A type the runtime has no driver for is a note; memory is silent.
	m.Brokers = []schema.Broker{{Name: "aws", Type: "sqs", URLEnv: "SQS_URL"}, {Name: "local", Type: "memory"}}
	m.Queues = []schema.Queue{{Name: "q", Broker: "aws"}, {Name: "m", Broker: "local"}}
	p = compute(t, m)
	if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], `broker "aws" has type "sqs"`) || len(p.Changes()) != 0 {
		t.Fatalf("notes = %q", p.Notes)
	}
}

// A broker that accepts connections but never answers is a note once the
// answer timeout has passed, for every kind; the comparison does not hang.
func TestSilentBrokerIsANote(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c) // read nothing, say nothing
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	for _, kind := range []string{"rabbitmq", "redis", "kafka"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			m := &schema.Model{
				Brokers: []schema.Broker{{Name: "silent", Type: kind, Addresses: []string{ln.Addr().String()}}},
				Queues:  []schema.Queue{{Name: "q", Broker: "silent"}},
			}
			start := time.Now()
			p := compute(t, m)
			took := time.Since(start)
			t.Logf("note after %v: %q", took, p.Notes)
			if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], `broker "silent"`) || !strings.Contains(p.Notes[0], "does not answer") || len(p.Changes()) != 0 {
				t.Fatalf("notes = %q", p.Notes)
			}
			if took > conversation {
				t.Fatalf("the note took %v: longer than a broker's conversation (%v)", took, conversation)
			}
		})
	}
}
