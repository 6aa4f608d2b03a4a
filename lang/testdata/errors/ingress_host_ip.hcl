project "p" {}
service "api" {
  image = "nginx:1"
  ingress {
    host = "10.0.0.1" # ERROR: Invalid host | not an IP address
  }
}
