project "p" {}
variable "replicas" { default = 2 }
service "api" {
  image    = "nginx:1"
  replicas = var.replica # ERROR: Reference to undeclared input variable | Did you mean "replicas"
}
