project "p" {}
service "api" {
  image = "" # ERROR: Missing image
}
