// Package queuetest is the conformance suite every queue driver runs: the
// same tests, with the same expectations, against memory, RabbitMQ, Redis
// Streams and Kafka. A driver's own test file supplies a Harness and calls
// Run.
package queuetest
