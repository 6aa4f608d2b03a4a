project "p" {}
service "api" {
  image  = "nginx:1"
  expose = "ClusterIp" # ERROR: Invalid value | Did you mean "ClusterIP"
}
