// Package brokers compares what the runtime's queue drivers would declare
// with what each broker has, for `nbac plan -live`, and declares the
// missing ones for `nbac apply`. It connects as the runtime does
// (runtime.AMQPURL, runtime.BrokerRedis, runtime.KafkaOptions) and lists
// what the drivers list (rabbitmq.Declarations, redisstream.Declarations,
// kafka.Topics), so plan and runtime cannot drift apart.
//
// brokers.go holds the shared model (an Object per declaration, Present,
// Missing or Conflict), the plan's changes and apply; one file per broker
// does the comparing and declaring:
//
//   - rabbitmq.go: a passive declare says whether a queue exists; a declare
//     with the model's arguments fails with PRECONDITION_FAILED, naming the
//     argument, when they differ.
//   - redis.go: TYPE and XINFO GROUPS per stream key: no key or no group is
//     missing (apply runs the driver's XGROUP CREATE ... 0 MKSTREAM); a key
//     of another type is a conflict.
//   - kafka.go: one metadata request through kafka-go's admin client: an
//     unknown topic is missing (apply creates it as the driver does); one
//     with another partition count is a conflict.
//
// A conflict is reported, never resolved: nbac never deletes or reshapes a
// queue, key or topic. Memory brokers have nothing to compare. A broker
// that cannot be reached is a note; the brokers are compared concurrently,
// each bounded by a timeout.
package brokers
