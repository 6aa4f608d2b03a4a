project "p" {}
service "api" {
  image = "nginx:1"
  probe "readiness" {
    period = "5 seconds" # ERROR: Invalid duration
  }
}
