project "p" {}
load_balancer "web" {
  listen = 70000 # ERROR: Value out of range
  backend "a" { address = "10.0.1.10:80" }
}
