project "p" {}
redis "main" {
  address   = "redis:6379"
  addresses = ["a:6379", "b:6379"] # ERROR: Conflicting arguments
}
