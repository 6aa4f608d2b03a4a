# Runtime blocks: the Go runtime in each pod reads these from the model
# slice mounted at /etc/nbac/model.json.

redis "main" {
  address = "redis:6379"
  url_env = "REDIS_URL" # credentials come from the pod's environment
}

cache "player_stats" {
  l1 {
    max_entries = 1000
    ttl         = "5m"
  }
  l2 {
    redis    = redis.main
    ttl      = "1h"
    compress = "zlib"
  }
  negative_ttl = "30s"
  warm         = ["player:lebron:stats"]

  alerts {
    hit_ratio_below = 0.6 # player stats are read far more often than they change
  }
}

broker "rabbit" {
  type    = "rabbitmq"
  url_env = "AMQP_URL"
}

broker "jobs" {
  type  = "redis"
  redis = redis.main
}

queue "nba_data_ingestion" {
  broker     = broker.rabbit
  priorities = true
  workers    = var.ingestion_workers
  retry {
    max_attempts = 5
    backoff      = "exponential"
    initial      = "1s"
    max          = "1m"
  }
  dead_letter = true
}

queue "ml_training" {
  broker           = broker.jobs
  workers          = 1
  max_delay        = "24h"
  shutdown_timeout = "5m"
  retry {
    max_attempts = 3
    initial      = "30s"
    max          = "10m"
  }
}
