project "p" {}
broker "rabbit" {
  type      = "rabbitmq"
  addresses = ["rabbit:5672"]
}
queue "q" {
  broker     = broker.rabbit
  queue_type = "qourum" # ERROR: Invalid value | queue_type in queue "q" must be one of
}
