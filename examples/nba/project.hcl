# The NBA MCP estate: one API service, its cache and queues, and the
# HAProxy/Nginx load balancer in front of the VM fleet.
#
#   nbac build examples/nba -var-file examples/nba/production.nbvars

project "nba-mcp" {
  namespace = "nba-mcp"
  labels = {
    team        = "data"
    environment = var.environment
  }
}
