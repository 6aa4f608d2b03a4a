project "p" {}
service "api" { # ERROR: Unclosed configuration block
  image = "nginx:1"
