project "p" {}
broker "b" { type = "memory" }
cache "c" {
  l2 {
    redis = broker.b # ERROR: Wrong kind of reference
  }
}
