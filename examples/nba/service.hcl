service "nba-mcp-server" {
  image  = local.image
  port   = 8000
  expose = "ClusterIP"
  env = merge(local.common_env, {
    CACHE_ENABLED = "true"
    MCP_PORT      = "8000"
  })
  labels = { tier = "api" }

  secret_env "DB_PASSWORD" {
    secret = "nba-db"
    key    = "password"
  }
  secret_env "OPENAI_API_KEY" {
    secret = "nba-ml"
    key    = "openai-api-key"
  }

  resources {
    cpu    = { request = var.resources.cpu_request, limit = var.resources.cpu_limit }
    memory = { request = var.resources.memory_request, limit = var.resources.memory_limit }
  }

  probe "liveness" { path = "/health" }
  probe "readiness" {
    path   = "/ready"
    period = "5s"
  }
  probe "startup" {
    path              = "/health"
    failure_threshold = 30
  }

  autoscale {
    min         = var.autoscale.min
    max         = var.autoscale.max
    cpu_percent = var.autoscale.cpu
  }

  # Staging is served by the cluster's shared Gateway (Gateway API, TLS on
  # its listeners); the other environments keep the nginx Ingress.
  dynamic "ingress" {
    for_each = var.gateway_api ? [] : [1]
    content {
      host   = var.ingress_host
      tls    = true
      class  = "nginx"
      issuer = local.prod ? "letsencrypt-prod" : "letsencrypt-staging"
    }
  }
  dynamic "route" {
    for_each = var.gateway_api ? [1] : []
    content {
      gateway           = "shared"
      gateway_namespace = "gateway-system"
      host              = var.ingress_host
      timeout           = "60s"
    }
  }

  network_policy = true
  uses           = [cache.player_stats, queue.nba_data_ingestion, queue.ml_training]
}
