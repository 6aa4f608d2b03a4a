project "p" {}
load_balancer "db" {
  mode   = "tcp"
  listen = 5432
  backend "a" { address = "10.0.1.10:5432" }
  health_check {
    path = "/health" # ERROR: Argument needs an HTTP check
  }
}
