project "p" {}
locals { max = 3 }
variable "n" {
  default = 1
  validation {
    condition     = var.n < local.max # ERROR: Reference not allowed here
    error_message = "n too big."
  }
}
