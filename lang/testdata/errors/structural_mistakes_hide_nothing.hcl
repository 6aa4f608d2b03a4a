projct "p" {} # ERROR: Unsupported block type
service "api" {
  image = "x:1"
  port  = 99999 # ERROR: Value out of range
}
service "api" { # ERROR: Duplicate service block
  image = "y"
}
service "9bad" { image = "z" } # ERROR: Invalid block name
load_balancer "lb" {
  listen        = 80
  backends_from = service.api
  server_names  = ["bad name"] # ERROR: server_names
}
