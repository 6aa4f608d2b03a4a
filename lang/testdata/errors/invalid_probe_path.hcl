project "p" {}
service "api" {
  image = "nginx:1"
  probe "readiness" {
    path = "ready" # ERROR: Invalid probe path
  }
}
