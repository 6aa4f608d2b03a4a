# Zoë's service: ünïcödé 😀 before the code
service "api" {
  image  = local.image
  expose = "ClusterIP"
  labels = { owner = "zoe" }
  uses   = [cache.stats]
}
