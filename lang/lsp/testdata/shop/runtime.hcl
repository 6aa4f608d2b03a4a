redis "main" {
  address = "redis:6379"
}

cache "stats" {
  l2 {
    redis = redis.main
  }
}
