project "p" {}
service "api" {
  image    = "nginx:1"
  replicas = -1 # ERROR: Value out of range
}
