package lang

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

var queueTriggerSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "queue", Required: true}, {Name: "backlog"},
}}

// defaultBacklog is the messages waiting per replica when a queue trigger
// names none (documented in docs/autoscaling.md).
const defaultBacklog = 100

// lowerQueueTriggers reads the `queue { queue = queue.x  backlog = N }`
// blocks of an autoscale block, sorted by queue; a queue named twice is an
// error at the second block. Whether the service uses the queue and whether
// KEDA can read its broker are checked by schema/validate, on the model.
func (l *loader) lowerQueueTriggers(b *body, svc string) []schema.QueueTrigger {
	var out []schema.QueueTrigger
	seen := map[string]hcl.Range{}
	for _, blk := range b.c.Blocks {
		if blk.Type != "queue" {
			continue
		}
		t := schema.QueueTrigger{}
		t.Src.Block = blk.DefRange
		qb, _ := l.open(blk.Body, queueTriggerSchema, &t.Src, fmt.Sprintf("queue trigger in autoscale of service %q", svc))
		t.Queue = qb.ref("queue", "queue")
		t.Backlog = qb.integer("backlog", defaultBacklog, 1, 1000000)
		if t.Queue == "" {
			continue
		}
		if prev, dup := seen[t.Queue]; dup {
			qb.errorAt(*t.Src.Range("queue"), "Duplicate queue trigger",
				fmt.Sprintf("autoscale of service %q already scales on queue.%s at %s; write one queue block per queue.", svc, t.Queue, prev))
			continue
		}
		seen[t.Queue] = blk.DefRange
		out = append(out, t)
	}
	sortByName(out, func(t schema.QueueTrigger) string { return t.Queue })
	return out
}
