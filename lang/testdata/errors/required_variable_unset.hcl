project "p" {}
variable "image" { # ERROR: No value for required variable
  type = string
}
service "api" { image = var.image }
