project "p" {}
variable "db_password" {
  type      = string
  default   = "hunter2"
  sensitive = true
}
service "api" {
  image = "nginx:1"
  env   = { DB_PASSWORD = var.db_password } # ERROR: Sensitive value would be written to an artifact | secret_env
}
