locals {
  prod  = var.environment == "production"
  image = "registry.example.com/nba-mcp:${var.image_tag}"
  common_env = {
    ENVIRONMENT = var.environment
    LOG_LEVEL   = upper(var.log_level)
  }
}
