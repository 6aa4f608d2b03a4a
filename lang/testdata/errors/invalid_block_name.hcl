project "p" {}
cache "player stats" { # ERROR: Invalid block name
  l1 {}
}
variable "2fast" { default = 1 } # ERROR: Invalid block name
