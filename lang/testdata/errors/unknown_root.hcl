project "p" {}
variable "replicas" { default = 2 }
service "api" {
  image    = "nginx:1"
  replicas = vars.replicas # ERROR: Unknown reference | Did you mean "var"
}
