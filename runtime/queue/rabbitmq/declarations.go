package rabbitmq

import (
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/nbac/nbac/runtime/queue"
)

// Declaration is one queue the driver declares (durable, not exclusive,
// not auto-deleted) with its arguments.
type Declaration struct {
	Name string
	Args amqp.Table
}

// Declarations lists, in declaring order, what the driver declares for
// cfg: the work queue, its dead-letter queue, its delay tiers. The driver
// declares exactly these, so a comparison with a broker (nbac plan -live)
// sees what the runtime would.
func Declarations(cfg queue.Config) []Declaration { return newTopology(cfg).declarations() }

func (t topology) declarations() []Declaration {
	args := amqp.Table{}
	if t.cfg.Priorities {
		args["x-max-priority"] = int32(queue.Levels - 1)
	}
	if t.cfg.DeadLetter {
		args["x-dead-letter-exchange"] = ""
		args["x-dead-letter-routing-key"] = t.dlq
	}
	if t.cfg.FIFO {
		args["x-single-active-consumer"] = true
	}
	out := []Declaration{{t.work, t.withType(args)}, {t.dlq, t.withType(nil)}}
	for _, d := range t.tiers {
		out = append(out, Declaration{t.tierName(d), t.withType(amqp.Table{
			"x-message-ttl":             int32(d / time.Millisecond),
			"x-dead-letter-exchange":    "",
			"x-dead-letter-routing-key": t.work,
		})})
	}
	return out
}
