project "p" {}
locals { image = "nginx:1" }
service "api" {
  image = local.imgae # ERROR: Reference to undeclared local value | Did you mean "image"
}
