// Package kedaproof holds only tests: they prove that the KEDA triggers
// the Kubernetes emitter writes name what the runtime really uses. Each
// test compiles an HCL estate, emits its ScaledObject, builds a real
// backlog with the runtime on a real broker (RabbitMQ and Redis on
// localhost, Kafka in-process with kfake), then measures every emitted
// trigger the way KEDA's scaler does, with the broker's own API, and
// checks the result is that backlog (docs/autoscaling.md says why KEDA's
// own scaler code is not run here).
package kedaproof
