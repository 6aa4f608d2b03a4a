// Package memory is the in-process queue driver: the embedded default for
// local runs, examples and tests. Queues live in a Broker (one per broker
// block, shared by every Queue opened on it in the process) and have the
// same semantics as the networked drivers: priorities, delays, retries,
// dead letters, at-least-once with redelivery of released messages. Nothing
// survives the process.
package memory
