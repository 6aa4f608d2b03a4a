project "p" {}
service "api" {
  image = "nginx:1"
  resources {
    memory = { request = "2Gi", limit = "1Gi" } # ERROR: Request exceeds limit
  }
}
