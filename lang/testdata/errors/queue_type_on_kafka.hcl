project "p" {}
broker "kafka" {
  type      = "kafka"
  addresses = ["kafka:9092"]
}
queue "q" {
  broker     = broker.kafka
  queue_type = "quorum" # ERROR: queue_type on a non-RabbitMQ broker | broker "kafka" is of type "kafka"
}
