project "p" {}
redis "main" { address = "redis:6379" }
cache "c" {
  l2 {
    redis = redis.main
    ttl   = 60 # ERROR: Invalid duration
  }
}
