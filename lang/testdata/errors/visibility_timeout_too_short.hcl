project "p" {}
broker "b" {
  type      = "redis"
  addresses = ["127.0.0.1:6379"]
}
queue "q" {
  broker             = broker.b
  visibility_timeout = "500ms" # ERROR: Value out of range
}
