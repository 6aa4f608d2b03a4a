project "p" {}
variable "servers" { default = ["10.0.0.1:80"] }
load_balancer "lb" {
  listen = 8080
  dynamic "backend" {
    for_each = var.servers
    labels   = ["b"]
    content {
      address = local.addr # ERROR: Reference to undeclared local value
    }
  }
}
