// Package alertproof holds only tests: they prove that every metric name
// the emitted PrometheusRule uses is one the real exporters serve, by
// scraping them: the runtime's registry through rt.MetricsHandler (with a
// cache on the local Redis and a queue on the local RabbitMQ open), and
// HAProxy's built-in exporter on the stats listener of the configuration
// nbac emits for the load balancer, run by the real haproxy.
package alertproof
