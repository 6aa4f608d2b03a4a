service "web" {
  image = "nginx:1"
  labels = { "bad key!" = "x" } # ERROR: Invalid label key
}

service "batch" {
  image = "batch:1"
  probe "readiness" {
    period = "5 seconds" # ERROR: Invalid duration
  }
}
