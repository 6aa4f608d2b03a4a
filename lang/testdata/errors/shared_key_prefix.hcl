project "p" {}
redis "main" { address = "redis:6379" }
cache "a" {
  l2 { redis = redis.main }
}
cache "b" {
  l2 {
    redis      = redis.main
    key_prefix = "a:" # ERROR: Caches share a key prefix
  }
}
