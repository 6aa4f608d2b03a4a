project "p" {}
variable "environment" {
  default = "qa"
  validation {
    condition     = contains(["dev", "production"], var.environment) # ERROR: Invalid value for variable | environment must be dev or production
    error_message = "environment must be dev or production."
  }
}
