project "p" {}
load_balancer "web" {
  listen = 80
  backend "a" {
    address = "10.0.1.10" # ERROR: Invalid address
  }
}
