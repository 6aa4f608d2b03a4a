project "p" {}
servic "api" { # ERROR: Unsupported block type | Did you mean "service"
  image = "nginx:1"
}
