project "p" {}
service "api" {
  image = "nginx:1"
  ingress {
    host = "api.example.com"
    path = "/api/../admin" # ERROR: Invalid path | must not contain '/../'
  }
}
