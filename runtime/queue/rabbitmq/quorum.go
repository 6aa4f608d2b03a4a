package rabbitmq

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/nbac/nbac/runtime/queue"
)

// Quorum queues need RabbitMQ 3.10: message TTL (the delay tiers) and
// at-least-once dead-lettering (a tier's expired message moving back to
// the work queue) arrived on quorum queues in that release.
const quorumMajor, quorumMinor = 3, 10

func (t topology) quorum() bool { return t.cfg.QueueType == queue.QueueQuorum }

// checkBroker refuses, before anything is declared, what the queue type
// cannot do on the broker at version (the server's "version" connection
// property). The model's validation already refuses quorum + priorities;
// this guards configurations built in Go and names the broker version.
func (t topology) checkBroker(version string) error {
	switch t.cfg.QueueType {
	case "", queue.QueueClassic, queue.QueueQuorum:
	default:
		return fmt.Errorf("queue %q: queue_type %q is not classic or quorum", t.work, t.cfg.QueueType)
	}
	if !t.quorum() {
		return nil
	}
	if t.cfg.Priorities {
		return fmt.Errorf("queue %q: queue_type = \"quorum\" with priorities = true is not supported (broker RabbitMQ %s): quorum queues have no priorities before RabbitMQ 4.0 and only two levels from 4.0, the runtime needs four; use queue_type = \"classic\" or one queue per priority", t.work, version)
	}
	major, minor, ok := parseVersion(version)
	if !ok {
		return nil // unknown server (a proxy or a fork): let the declare decide
	}
	if major < quorumMajor || major == quorumMajor && minor < quorumMinor {
		return fmt.Errorf("queue %q: queue_type = \"quorum\" needs RabbitMQ %d.%d or later (message TTL and at-least-once dead-lettering on quorum queues, used by the delay tiers and retries); the broker runs %s. Upgrade the broker or use queue_type = \"classic\"", t.work, quorumMajor, quorumMinor, version)
	}
	return nil
}

// parseVersion reads "3.10.8" or "4.0.0-rc.1" as major and minor.
func parseVersion(v string) (major, minor int, ok bool) {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(strings.TrimFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	return major, minor, err1 == nil && err2 == nil
}

// serverVersion is the broker's version from the connection handshake.
func serverVersion(conn *amqp.Connection) string {
	if v, ok := conn.Properties["version"].(string); ok && v != "" {
		return v
	}
	return "(unknown version)"
}

// withType adds the queue type to the arguments of one of the queue's
// queues. Every queue of a quorum queue is quorum: a replicated work
// queue whose delay tiers or DLQ live on one node would lose retries,
// delayed and dead messages with that node. A queue that dead-letters
// (the tiers into the work queue, the work queue into the DLQ) does so
// at-least-once, which RabbitMQ allows only with reject-publish overflow;
// the default (at-most-once) drops a message whose target is briefly
// unavailable. Classic queues get no x-queue-type, so queues declared by
// earlier versions stay equivalent.
func (t topology) withType(args amqp.Table) amqp.Table {
	if !t.quorum() {
		return args
	}
	if args == nil {
		args = amqp.Table{}
	}
	args["x-queue-type"] = queue.QueueQuorum
	if _, dead := args["x-dead-letter-exchange"]; dead {
		args["x-dead-letter-strategy"] = "at-least-once"
		args["x-overflow"] = "reject-publish"
	}
	return args
}

// declareError explains a failed declare. PRECONDITION_FAILED means the
// queue exists with other arguments (another type, priorities, dead
// lettering): RabbitMQ cannot change them in place.
func (t topology) declareError(name string, version string, err error) error {
	var ae *amqp.Error
	if errors.As(err, &ae) && ae.Code == amqp.PreconditionFailed {
		of := ""
		if name != t.work {
			of = fmt.Sprintf(" of queue %q", t.work)
		}
		return fmt.Errorf("queue %q already exists on the broker (RabbitMQ %s) with other arguments than the model gives it%s (queue_type = %q, priorities = %t, ordering fifo = %t, dead_letter = %t): %s. RabbitMQ cannot change a queue's type or arguments in place: drain and delete %q, or give the queue block a new name",
			name, version, of, t.typeName(), t.cfg.Priorities, t.cfg.FIFO, t.cfg.DeadLetter, ae.Reason, name)
	}
	if t.quorum() {
		return fmt.Errorf("declare quorum queue %q (queue_type = \"quorum\", broker RabbitMQ %s): %w (quorum queues need the quorum_queue feature flag and RabbitMQ %d.%d or later)", name, version, err, quorumMajor, quorumMinor)
	}
	return fmt.Errorf("declare queue %q (broker RabbitMQ %s): %w", name, version, err)
}

func (t topology) typeName() string {
	if t.quorum() {
		return queue.QueueQuorum
	}
	return queue.QueueClassic
}
