project "p" {}
service "api" {
  image = "nginx:1"
  probes "liveness" {} # ERROR: Unsupported block type | Did you mean "probe"
}
