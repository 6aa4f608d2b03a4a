project "p" {}
broker "b" { type = "memory" }
queue "q" {
  broker = broker.b
  retry {
    initial = "2m" # ERROR: Retry delay above its maximum
    max     = "1m"
  }
}
