project "p" {}
service "api" {
  image = "nginx:1 " # ERROR: Invalid image | white space
}
