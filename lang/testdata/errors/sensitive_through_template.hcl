project "p" {}
variable "token" {
  default   = "abc"
  sensitive = true
}
locals { image = "registry/${var.token}/app:1" }
service "api" {
  image = local.image # ERROR: Sensitive value would be written to an artifact
}
