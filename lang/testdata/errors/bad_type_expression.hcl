project "p" {}
variable "n" {
  type = strin # ERROR: Invalid type specification
}
