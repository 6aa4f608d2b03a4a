project "p" {}
cache "c" {
  l1 {
    jitter = 0.9 # ERROR: Value out of range
  }
}
