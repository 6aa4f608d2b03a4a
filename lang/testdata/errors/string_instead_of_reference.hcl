project "p" {}
redis "main" { address = "redis:6379" }
cache "c" {
  l2 {
    redis = "main" # ERROR: Incorrect attribute value type | redis.example
  }
}
