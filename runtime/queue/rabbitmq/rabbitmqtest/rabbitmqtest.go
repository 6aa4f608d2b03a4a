// Package rabbitmqtest holds what tests that declare queues on a real
// RabbitMQ share: removing them afterwards, so runs do not pile up queues on
// the server.
package rabbitmqtest

import amqp "github.com/rabbitmq/amqp091-go"

// DeleteQueues deletes the named queues on the broker at url, messages
// and all. A queue that is already gone is no error (RabbitMQ's delete is
// idempotent). It stops at the first error, which it returns for the
// caller to log: a cleanup that fails must not fail the test.
func DeleteQueues(url string, names ...string) error {
	conn, err := amqp.Dial(url)
	if err != nil {
		return err
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	defer ch.Close()
	for _, n := range names {
		if _, err := ch.QueueDelete(n, false, false, false); err != nil {
			return err
		}
	}
	return nil
}
