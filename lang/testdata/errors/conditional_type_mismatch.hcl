project "p" {}
variable "prod" { default = false }
service "api" {
  image    = "nginx:1"
  replicas = var.prod ? 3 : "one" # ERROR: Incorrect attribute value type
}
