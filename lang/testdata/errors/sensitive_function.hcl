project "p" {}
service "api" {
  image  = "nginx:1"
  labels = { owner = sensitive("alice") } # ERROR: Sensitive value would be written to an artifact
}
