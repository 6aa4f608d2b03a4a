// Package brokers compares the queues the runtime would declare with what a
// broker has, for `nbac plan -live`, and declares the missing ones for
// `nbac apply`. RabbitMQ: every queue of runtime/queue/rabbitmq's
// Declarations, found by a passive declare, its arguments checked by a
// declare with the model's arguments (RabbitMQ answers PRECONDITION_FAILED
// and names the inequivalent argument when they differ). A conflict is
// reported, never resolved: RabbitMQ cannot change a queue's arguments in
// place and nbac never deletes a queue. Redis Streams and Kafka brokers are
// named in the plan's notes as not compared yet.
package brokers
