project "p" {}
service "api" {
  image = "nginx:1"
  prot  = 8080 # ERROR: Unsupported argument | Did you mean "port"
}
