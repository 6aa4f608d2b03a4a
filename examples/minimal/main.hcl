# The smallest useful nbac configuration: one service in one namespace.
# Everything not written here takes the defaults in docs/language.md.

project "hello" {
  namespace = "hello"
}

service "hello" {
  image = "ghcr.io/nbac/hello:1.0.0"
  port  = 8080
}
