// Package rabbitmq is the RabbitMQ queue driver (amqp091-go).
//
// Topology per queue NAME, declared idempotently on every (re)connection:
// a durable classic queue NAME (x-max-priority when priorities are on,
// x-single-active-consumer for ordering = "fifo", dead-lettering to
// NAME.dlq), the durable queue NAME.dlq, and delay tiers NAME.delay.<d>:
// durable queues with x-message-ttl = d that dead-letter back to NAME. A
// delayed message or a retry goes through the largest tier not longer than
// its remaining wait and carries its due time in a header; a consumer that
// receives it early sends it through the next tier. Every queue of a tier
// holds messages of one TTL, so no message waits behind a longer one.
//
// With Config.QueueType quorum every one of these queues is a quorum queue
// (replicated; a tier or DLQ on one node would lose delayed, retried and
// dead messages with it) and the dead-lettering queues dead-letter
// at-least-once. The driver checks the broker version from the handshake
// (3.10 or later) and refuses priorities before declaring; a queue that
// exists with other arguments gets an error naming it and the mismatch.
//
// Publishing uses publisher confirms with mandatory = true: Publish returns
// after the broker confirmed every message, and a returned (unroutable)
// message is an error. Concurrent publishes share the channel and its
// confirm window. The driver owns reconnection (amqp091-go has none): a
// dead publishing connection is redialled on the next publish, and a
// consumer redials with backoff, re-declares the topology and resumes;
// deliveries whose channel died are redelivered by the broker.
package rabbitmq
