// Package kafka is the Kafka queue driver (segmentio/kafka-go).
//
// Topics for queue NAME: NAME (or NAME.p0 .. NAME.p3, one per priority
// level, when priorities are on), NAME.delay.<d> delay tiers and NAME.dlq,
// as Topics lists them (one list for Declare and nbac plan -live).
// Every topic is read by its own consumer group, nbac.<topic>, starting at
// the first offset, so nothing published before the group's first commit
// is skipped. Messages are read with FetchMessage and committed only when
// settled, and only up to the lowest offset still in flight per partition,
// so a message in flight is never skipped by a later commit. The writer
// uses RequiredAcks = RequireAll and the kafka.Hash balancer, so all
// messages of a key go to one partition, in order.
//
// Priorities: one topic per level, each read by its own reader; the
// receiver hands out the highest level that has a fetched message, and
// holds the lower levels back while a higher level has messages in the
// broker its reader has not fetched yet (at start, as the broker reports
// them; then by each fetched message's high-water mark). Delays
// and retries go through delay tiers: a tier consumer waits until the
// message's hop is due (messages in one tier arrive in due order), then
// forwards it to the next tier or to the work topic.
//
// Cuts: the readers dial with retries (patientDialer), so a consumer group
// keeps its member id across a short cut and rejoins at once instead of
// waiting for its old session to expire.
package kafka
