project "p" {}
variable "n" {
  default = 1
  validation {
    condition     = "yes" # ERROR: Invalid validation condition
    error_message = "n must be positive."
  }
}
