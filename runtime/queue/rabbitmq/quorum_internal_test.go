package rabbitmq

import (
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/nbac/nbac/runtime/queue"
)

// TestCheckBroker covers the broker versions the shared test server does
// not run: a quorum queue on a broker older than 3.10 is refused with the
// queue, the attribute and the version in the error.
func TestCheckBroker(t *testing.T) {
	cases := []struct {
		typ        string
		priorities bool
		version    string
		want       []string // nil: accepted
	}{
		{queue.QueueQuorum, false, "3.10.8", nil},
		{queue.QueueQuorum, false, "3.13.7", nil},
		{queue.QueueQuorum, false, "4.0.0-rc.1", nil},
		{queue.QueueQuorum, false, "(unknown version)", nil},
		{queue.QueueQuorum, false, "3.9.29", []string{`queue "jobs"`, `queue_type = "quorum"`, "3.10 or later", "runs 3.9.29"}},
		{queue.QueueQuorum, false, "3.8.0", []string{"runs 3.8.0"}},
		{queue.QueueQuorum, true, "3.10.8", []string{`queue "jobs"`, "priorities", "RabbitMQ 3.10.8"}},
		{queue.QueueQuorum, true, "4.1.0", []string{"priorities", "RabbitMQ 4.1.0", "two levels"}},
		{queue.QueueClassic, true, "3.8.0", nil},
		{"", false, "3.6.0", nil},
		{"stream", false, "3.10.8", []string{`queue_type "stream"`}},
	}
	for _, tc := range cases {
		top := newTopology(queue.Config{Name: "jobs", QueueType: tc.typ, Priorities: tc.priorities})
		err := top.checkBroker(tc.version)
		if tc.want == nil {
			if err != nil {
				t.Errorf("%s on %s: unexpected error %v", tc.typ, tc.version, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s (priorities %t) on %s: accepted, want an error", tc.typ, tc.priorities, tc.version)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s on %s: error %q does not mention %q", tc.typ, tc.version, err, w)
			}
		}
	}
}

// TestWithType checks the arguments: quorum everywhere with at-least-once
// dead-lettering where a queue dead-letters, and classic queues declared
// exactly as before the attribute existed (so existing queues still match).
func TestWithType(t *testing.T) {
	q := newTopology(queue.Config{Name: "jobs", QueueType: queue.QueueQuorum})
	tier := q.withType(amqp.Table{"x-message-ttl": int32(50), "x-dead-letter-exchange": ""})
	if tier["x-queue-type"] != "quorum" || tier["x-dead-letter-strategy"] != "at-least-once" || tier["x-overflow"] != "reject-publish" {
		t.Errorf("quorum tier arguments %v", tier)
	}
	dlq := q.withType(nil)
	if dlq["x-queue-type"] != "quorum" || dlq["x-dead-letter-strategy"] != nil {
		t.Errorf("quorum DLQ arguments %v", dlq)
	}
	for _, typ := range []string{"", queue.QueueClassic} {
		c := newTopology(queue.Config{Name: "jobs", QueueType: typ})
		if args := c.withType(amqp.Table{"x-message-ttl": int32(time.Second / time.Millisecond)}); len(args) != 1 {
			t.Errorf("classic (%q) arguments changed: %v", typ, args)
		}
		if c.withType(nil) != nil {
			t.Errorf("classic (%q) DLQ got arguments", typ)
		}
	}
}
