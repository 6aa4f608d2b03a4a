project "p" {
  namespace = "NBA_MCP" # ERROR: Invalid namespace
}
