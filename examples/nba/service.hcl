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

  # The runtime serves its metrics on :9090 (rt.ServeMetrics); nbac
  # writes a PodMonitor and alerts for the cache and queues used here.
  metrics {}

  network_policy = true
  uses           = [cache.player_stats, queue.nba_data_ingestion, queue.ml_training]
}

# The ingestion workers consume nba_data_ingestion and scale on its
# backlog with KEDA (docs/autoscaling.md): one replica per 100 messages
# waiting, from none at all when the queue is empty (RabbitMQ itself moves
# delayed retries back into the queue, so no pod has to stay up for them).
service "nba-ingest-worker" {
  image   = local.image
  command = ["/app/nba-mcp", "ingest"]
  env     = local.common_env
  labels  = { tier = "worker" }

  metrics {}
  secret_env "AMQP_URL" {
    secret = "nba-rabbitmq"
    key    = "url"
  }

  probe "liveness" { path = "/health" }

  autoscale {
    min = 0
    max = var.ingestion_max_replicas
    queue {
      queue   = queue.nba_data_ingestion
      backlog = 100
    }
  }

  network_policy = true
  uses           = [queue.nba_data_ingestion]
}
