project "p" {}
variable "servers" { default = ["10.0.0.1:80"] }
load_balancer "lb" {
  listen = 8080
  dynamic "backend" {
    for_each = var.server # ERROR: Reference to undeclared input variable | Did you mean "servers"
    labels   = ["b"]
    content {
      address = backend.value
    }
  }
}
