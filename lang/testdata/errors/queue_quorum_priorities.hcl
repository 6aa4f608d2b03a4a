project "p" {}
broker "rabbit" {
  type      = "rabbitmq"
  addresses = ["rabbit:5672"]
}
queue "q" {
  broker     = broker.rabbit
  queue_type = "quorum"
  priorities = true # ERROR: Priorities not supported by quorum queues | RabbitMQ 3.x quorum queues have no message priority
}
