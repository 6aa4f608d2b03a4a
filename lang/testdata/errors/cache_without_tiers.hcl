project "p" {}
cache "c" { # ERROR: Cache without tiers
  warm = ["k"]
}
