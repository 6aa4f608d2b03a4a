// Package queue is nbac's one queue API over several brokers: a Queue
// publishes messages (priority, delay, per-key FIFO) and consumes them with
// N workers, at-least-once, retrying failures with exponential backoff and
// jitter outside the delivery path, then dead-lettering them with the error,
// the attempt count and the origin in headers.
//
// This package owns the broker-independent part: the Message and Delivery
// types, the Driver contract, the consumer engine (workers, retry policy,
// panic recovery, graceful shutdown, metrics) and the shared backoff. The
// drivers live in subpackages (memory, rabbitmq, kafka, redisstream) and are all
// checked by the same conformance suite in queuetest.
package queue
