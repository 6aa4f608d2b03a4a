project "p" {}
service "api" {
  image = "nginx:1"
  resources {
    cpu = { request = "200x" } # ERROR: Invalid quantity
  }
}
