package validate

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// queueTriggers checks the queue blocks of a service's autoscale block:
// what KEDA would accept but could never act on (a queue the pods do not
// consume, credentials it cannot find, a broker it has no scaler for) and
// scale-to-zero set-ups that would never wake up (docs/autoscaling.md).
func (c *svcChecker) queueTriggers(where string) {
	a := c.svc.Autoscale
	for i := range a.Queues {
		t := &a.Queues[i]
		tw := fmt.Sprintf("The queue trigger on queue.%s in %s", t.Queue, where)
		if t.Backlog < 1 {
			c.fail(t.Src, "backlog", "Value out of range", fmt.Sprintf("backlog of %s is %d; it is the messages waiting per replica, 1 or more.", tw, t.Backlog))
		}
		q := c.m.Queue(t.Queue)
		if q == nil {
			c.fail(t.Src, "queue", "Reference to an undeclared block", fmt.Sprintf("%s names queue.%s, which is not declared.", tw, t.Queue))
			continue
		}
		if !c.svc.UsesRef(schema.Ref{Kind: "queue", Name: t.Queue}) {
			c.fail(t.Src, "queue", "Queue not used by the service",
				fmt.Sprintf("%s: the service does not list queue.%s in uses, so its pods have no consumer for it and adding pods would never shorten that queue. Add queue.%s to uses of the service, or scale on a queue it consumes.", tw, t.Queue, t.Queue))
		}
		br := c.m.Broker(q.Broker)
		if br == nil {
			continue // reported at the queue block
		}
		c.brokerReadable(t, tw, br)
		if br.Type == "rabbitmq" && q.Ordering == "fifo" {
			c.diags = append(c.diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Scaling a single-consumer queue",
				Detail:  fmt.Sprintf("%s: queue.%s has ordering = \"fifo\", which RabbitMQ serves to one active consumer at a time (x-single-active-consumer), so every replica past the first stands by and more pods never drain it faster. Scale on a queue with ordering = \"none\", or drop the queue block.", tw, t.Queue),
				Subject: t.Src.Range("queue")})
		}
		if a.Min == 0 && q.RedelaysInConsumer(br.Type) {
			c.fail(a.Src, "min", "Delayed messages need a running consumer",
				fmt.Sprintf("min = 0 in %s, but queue.%s on broker %q (%s) has delays or retries, and on %s the runtime's consumer is what moves a due message back to where KEDA counts it. With no pod a retried or delayed message would wait forever. Use min = 1, or set max_attempts = 1 and no max_delay on the queue.", where, t.Queue, br.Name, br.Type, br.Type))
		}
	}
	if a.Min == 0 && len(a.Queues) > 0 && c.svc.Ingress != nil {
		c.fail(a.Src, "min", "Scale to zero behind an ingress",
			fmt.Sprintf("min = 0 in %s would leave the ingress %q with no pod to answer while the queues are empty: KEDA wakes the service on messages, not on requests. Use min = 1 for a service that takes traffic.", where, c.svc.Ingress.Host))
	}
}

// brokerReadable reports a trigger whose broker KEDA cannot read the way
// the runtime does: a broker type with no KEDA scaler, or credentials that
// are not in the pod (KEDA's TriggerAuthentication reads them from the
// Secret or the container variable the runtime reads).
func (c *svcChecker) brokerReadable(t *schema.QueueTrigger, tw string, br *schema.Broker) {
	fail := func(detail string) {
		c.fail(t.Src, "queue", "Broker KEDA cannot read", tw+": "+detail)
	}
	needEnv := func(attr, name, holder string) {
		if _, ok := c.svc.EnvSource(name); !ok {
			fail(fmt.Sprintf("%s sets %s = %q, but the service sets no %s, so neither the runtime in its pods nor KEDA could connect. Add secret_env %q { secret = \"...\" key = \"...\" } to the service.", holder, attr, name, name, name))
		}
	}
	switch br.Type {
	case "rabbitmq", "kafka":
		if br.URLEnv != "" {
			needEnv("url_env", br.URLEnv, schema.Describe("broker", br.Name))
		}
	case "redis":
		url, holder := br.URLEnv, schema.Describe("broker", br.Name)
		var rb *schema.Redis
		if br.Redis != "" {
			if rb = c.m.RedisNamed(br.Redis); rb != nil {
				url, holder = rb.URLEnv, schema.Describe("redis", br.Redis)
			}
		}
		if url != "" {
			fail(fmt.Sprintf("%s reads its connection from url_env = %q, a redis:// URL; KEDA's Redis Streams scaler takes addresses and a password, not a URL, so it could not reach the Redis the runtime uses. Write the addresses in %s and the password in password_env instead of url_env.", holder, url, holder))
		}
		if rb != nil && rb.PasswordEnv != "" {
			needEnv("password_env", rb.PasswordEnv, holder)
		}
	case "memory":
		fail(fmt.Sprintf("%s is in-process (type memory): each pod holds its own messages, so nothing outside the pods can count them. Use a rabbitmq, redis or kafka broker to scale on backlog.", schema.Describe("broker", br.Name)))
	default:
		fail(fmt.Sprintf("%s has type %q; nbac emits KEDA triggers for rabbitmq, redis and kafka brokers only.", schema.Describe("broker", br.Name), br.Type))
	}
}
