project "p" {}
locals {
  n = local.n + 1 # ERROR: Cycle in local values
}
