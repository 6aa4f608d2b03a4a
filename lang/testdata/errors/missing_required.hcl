project "p" {}
service "api" { # ERROR: Missing required argument | image
  port = 80
}
