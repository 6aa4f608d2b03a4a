# The VM fleet in front of which HAProxy and Nginx run (BRIEF section 2).

load_balancer "nba_mcp" {
  targets      = ["haproxy", "nginx"]
  listen       = 8000
  algorithm    = "weighted_round_robin"
  server_names = ["nba-mcp.example.com"]

  health_check {
    type     = "http"
    path     = "/health"
    interval = "5s"
    rise     = 2
    fall     = 3
  }

  backend "app1" {
    address = "10.0.1.10:8000"
    weight  = 100
  }
  backend "app2" {
    address = "10.0.1.11:8000"
    weight  = 100
  }
  backend "app3" {
    address = "10.0.1.12:8000"
    backup  = true
  }

  tls {
    certificate   = "/etc/ssl/private/nba-mcp.pem"
    redirect_http = true
  }
  # No sticky_sessions here: Nginx open source implements affinity by
  # hashing, and its hash methods reject backup servers. The admin load
  # balancer below, HAProxy only, shows cookie affinity.
  rate_limit {
    requests_per_second = 1000
    burst               = 200
  }
  stats {
    listen = 8404
    socket = "/run/haproxy/admin.sock"
  }
}

# The admin UI keeps per-user state in memory, so its sessions stick to one
# server; HAProxy inserts the cookie.
load_balancer "nba_mcp_admin" {
  targets   = ["haproxy"]
  listen    = 8100
  algorithm = "least_connections"

  health_check {
    path = "/health"
  }
  backend "admin1" { address = "10.0.1.20:8100" }
  backend "admin2" { address = "10.0.1.21:8100" }

  sticky_sessions { cookie = "NBA_ADMIN" }
  timeouts {
    client = "1m"
    server = "1m"
  }
}
