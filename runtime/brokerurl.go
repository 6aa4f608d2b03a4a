package runtime

import "github.com/nbac/nbac/schema"

// AMQPURL is the connection URL the runtime uses for a rabbitmq broker:
// the value of its url_env variable (read with getenv), else amqp:// and
// its first address. nbac plan -live and apply (live/brokers) connect as
// the runtime would.
func AMQPURL(br *schema.Broker, getenv func(string) (string, bool)) (string, error) {
	rt := &Runtime{getenv: getenv}
	return rt.brokerURL(br, "amqp")
}
