project "p" {}
service "api" {
  image = "nginx:1"
  probe "liveness" {
    command = [] # ERROR: Missing probe command | command of probe "liveness" of service "api" is empty
  }
}
