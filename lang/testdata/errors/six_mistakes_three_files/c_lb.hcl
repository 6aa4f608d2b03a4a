load_balancer "edge" {
  listen       = 8080
  mode         = "http"
  server_names = ["bad host!"] # ERROR: server_names
  backend "a" {
    address = "10.0.0.1:80"
  }
}

service "worker" {
  image    = "worker:1"
  replicas = "many" # ERROR: Incorrect attribute value type
}
