project "p" {}
load_balancer "web" {
  listen = 80
  backend "a" { address = "10.0.1.10:80" }
  backend "a" { address = "10.0.1.11:80" } # ERROR: Duplicate backend block
}
