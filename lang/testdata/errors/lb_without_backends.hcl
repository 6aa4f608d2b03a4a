project "p" {}
load_balancer "web" { # ERROR: Load balancer without backends
  listen = 80
}
