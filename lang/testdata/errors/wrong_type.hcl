project "p" {}
service "api" {
  image = "nginx:1"
  port  = "eighty" # ERROR: Incorrect attribute value type
}
