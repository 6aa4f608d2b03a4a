project "p" {}
service "api" {
  image = "nginx:1"
  env   = { BANNER = file("${path.module}/banner.txt") } # ERROR: Unknown reference | file() already reads relative
}
