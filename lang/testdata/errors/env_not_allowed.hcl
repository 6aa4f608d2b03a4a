project "p" {}
service "api" {
  image = "nginx:1"
  env   = { H = env("HOME") } # ERROR: Invalid function argument | allow_env
}
