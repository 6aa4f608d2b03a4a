project "nba-mcp" {
  namespace = "nba-mcp"
}

variable "key_prefix" {
  type    = string
  default = "player_stats:"
}

variable "l1_entries" {
  type    = number
  default = 1000
}

redis "main" {
  address = "127.0.0.1:6379"
  url_env = "NBAC_TEST_REDIS_URL"
}

cache "player_stats" {
  negative_ttl = "30s"
  l1 {
    max_entries = var.l1_entries
    ttl         = "5m"
    jitter      = 0.1
  }
  l2 {
    redis      = redis.main
    ttl        = "1h"
    compress   = "zlib"
    key_prefix = var.key_prefix
  }
  warm = ["player:lebron:stats"]
}

cache "sessions" {
  l1 {
    max_entries = 100
    max_bytes   = 1048576
    ttl         = "1m"
  }
}
