project "p" {}
service "api" {
  image = "nginx:1" "x" # ERROR: Missing newline after argument
}
