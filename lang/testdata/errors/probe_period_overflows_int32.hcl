project "p" {}
service "api" {
  image = "nginx:1"
  probe "readiness" {
    period = "596524h" # ERROR: Duration too long | at most 2147483647 seconds
  }
}
