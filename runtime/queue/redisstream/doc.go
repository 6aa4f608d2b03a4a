// Package redisstream is the Redis queue driver: Redis Streams with a
// consumer group, and a plain pub/sub Topic.
//
// Keys for queue NAME (all share the hash tag {NAME}, so a Redis Cluster
// keeps them on one node and the Lua script may touch them together):
//
//	nbac:q:{NAME}:p<level>        one stream per priority level (p1 only
//	                              without priorities)
//	nbac:q:{NAME}:delayed         sorted set of delayed messages by due time
//	nbac:q:{NAME}:delayed:data    their bodies
//	nbac:q:{NAME}:dlq             the dead-letter stream
//
// Declare creates the streams with their group (XGROUP CREATE ... 0
// MKSTREAM) as Declarations lists them: one list for the driver and nbac
// plan -live. The other keys are made by their first write.
//
// Consumers read with XREADGROUP (group "nbac"), strictly highest level
// first, and ack with XACK + XDEL in pipelined batches. Deliveries left
// pending by a dead or cut-off consumer are taken over with XAUTOCLAIM once
// idle for the queue's visibility timeout. A consumer that shuts down hands
// back what it read but did not start (handback.go): a Lua script re-adds
// each entry at the stream's tail and acks the original, atomically, so
// another consumer gets it at once. Delays and retries go to the sorted set; a Lua script moves due
// messages to their stream atomically. Dead letters are XADDed to the DLQ
// stream and acked in one MULTI. Publishes from concurrent callers are
// batched into one pipeline per round trip.
package redisstream
