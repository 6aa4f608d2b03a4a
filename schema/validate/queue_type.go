package validate

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// queueType checks queue_type: a RabbitMQ-only setting whose quorum value
// rules out what quorum queues cannot do. Priorities are refused for every
// broker version: RabbitMQ 3.x quorum queues have none, and 4.x has only
// two levels (normal, high), not the four the runtime promises.
func queueType(br *schema.Broker, q *schema.Queue) hcl.Diagnostics {
	if q.QueueType == "" {
		return nil
	}
	what := schema.Describe("queue", q.Name)
	var diags hcl.Diagnostics
	if !inSet(q.QueueType, "classic", "quorum") {
		diags = append(diags, errorAt(q.Src, "queue_type", "Invalid value",
			fmt.Sprintf("queue_type in %s must be classic or quorum; got %q.", what, q.QueueType)))
		return diags
	}
	if br != nil && br.Type != "rabbitmq" {
		diags = append(diags, errorAt(q.Src, "queue_type", "queue_type on a non-RabbitMQ broker",
			fmt.Sprintf("%s sets queue_type, a RabbitMQ queue argument, but broker %q is of type %q. Remove queue_type.", what, br.Name, br.Type)))
	}
	if q.QueueType == "quorum" && q.Priorities {
		diags = append(diags, errorAt(q.Src, "priorities", "Priorities not supported by quorum queues",
			fmt.Sprintf("%s is a quorum queue and asks for priorities. RabbitMQ 3.x quorum queues have no message priority, and 4.x has only two levels (normal, high) where the runtime promises four. Use queue_type = \"classic\", or one quorum queue per priority.", what)))
	}
	return diags
}
