// Package queue benchmarks nbac's queue drivers beside their anchors on the
// same broker with the same guarantees, in one run: RabbitMQ (a bare
// amqp091-go loop and watermill-amqp), Redis (a pipelined bare
// XADD/XREADGROUP/XACK loop and asynq) and the in-process memory driver.
// Workload: 20,000 messages of 1 KiB, one publisher, 1 and 4 consumers,
// durable queues, persistent messages, publisher confirms, manual acks.
// Each iteration publishes and consumes the whole batch concurrently and
// reports end-to-end msg/s. See docs/performance.md ("Queues").
package queue
