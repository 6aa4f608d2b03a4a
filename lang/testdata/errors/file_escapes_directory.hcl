project "p" {}
service "api" {
  image = "nginx:1"
  env   = { KEY = file("../../../go.mod") } # ERROR: Invalid function argument
}
