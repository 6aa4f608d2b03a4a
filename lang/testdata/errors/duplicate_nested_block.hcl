project "p" {}
service "api" {
  image = "nginx:1"
  resources {}
  resources {} # ERROR: Duplicate resources block
}
