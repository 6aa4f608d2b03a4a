# Six independent mistakes in three files, some found while lowering and
# some only by the model's semantic checks: one run reports all six.
project "p" {
  namespace = "NBA_MCP" # ERROR: Invalid namespace
}

service "api" {
  image = "nginx:1"
  port  = 70000 # ERROR: Value out of range
}
