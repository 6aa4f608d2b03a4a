project "p" {}
redis "main" { address = "redis:6379" }
cache "c" {
  l2 {
    redis = redis.mian # ERROR: Reference to undeclared redis block | Did you mean "main"
  }
}
