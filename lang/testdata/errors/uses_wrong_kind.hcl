project "p" {}
redis "main" { address = "redis:6379" }
service "api" {
  image = "nginx:1"
  uses  = [redis.main] # ERROR: Wrong kind of reference
}
