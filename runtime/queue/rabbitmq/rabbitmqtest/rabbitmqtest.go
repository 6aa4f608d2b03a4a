// Package rabbitmqtest holds what tests that talk to a real RabbitMQ
// share: a channel of its own for one step, and removing a test's queues
// afterwards, so runs do not pile up queues on the server.
package rabbitmqtest

import (
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// dialTimeout bounds the connect: generous, as a saturated machine is slow,
// but a broker that never answers must not hang a test.
const dialTimeout = time.Minute

// OnChannel runs f on a channel of a connection of its own to the broker at
// url, and closes both. Own, because RabbitMQ closes a channel on any
// refused call (a failed passive declare, PRECONDITION_FAILED): the next
// step starts afresh.
func OnChannel(url string, f func(*amqp.Channel) error) error {
	conn, err := amqp.DialConfig(url, amqp.Config{Dial: amqp.DefaultDial(dialTimeout)})
	if err != nil {
		return err
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	defer ch.Close()
	return f(ch)
}

// DeleteQueues deletes the named queues on the broker at url, messages
// and all. A queue that is already gone is no error (RabbitMQ's delete is
// idempotent). It stops at the first error, which it returns for the
// caller to log: a cleanup that fails must not fail the test.
func DeleteQueues(url string, names ...string) error {
	return OnChannel(url, func(ch *amqp.Channel) error {
		for _, n := range names {
			if _, err := ch.QueueDelete(n, false, false, false); err != nil {
				return err
			}
		}
		return nil
	})
}
