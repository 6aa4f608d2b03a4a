project "p" {}
locals {
  a = local.c + 1 # ERROR: Cycle in local values | local.b
  b = local.a * 2
  c = local.b - 1
  ok = 3
}
service "api" {
  image    = "nginx:1"
  replicas = local.a
}
