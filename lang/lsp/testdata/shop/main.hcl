project "shop" {
  namespace = "shop"
}

variable "env" {
  default = "dev"
}

variable "token" {
  default   = "s3cr3t"
  sensitive = true
}

locals {
  image  = "shop/api:${var.env}"
  secret = var.token
}
