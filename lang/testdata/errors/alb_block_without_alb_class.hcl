project "p" {}
service "api" {
  image = "nginx:1"
  ingress {
    host = "a.example.com"
    alb { scheme = "internal" } # ERROR: ALB settings need class
  }
}
