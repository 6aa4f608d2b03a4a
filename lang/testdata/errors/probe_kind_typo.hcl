project "p" {}
service "api" {
  image = "nginx:1"
  probe "liveliness" { path = "/health" } # ERROR: Invalid probe kind | Did you mean "liveness"
}
