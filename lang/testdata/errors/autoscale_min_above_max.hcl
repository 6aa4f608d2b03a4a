project "p" {}
service "api" {
  image = "nginx:1"
  autoscale {
    min = 5 # ERROR: Autoscale minimum above maximum
    max = 2
  }
}
