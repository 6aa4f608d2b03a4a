project "p" {}
service { # ERROR: Missing name for service
  image = "nginx:1"
}
