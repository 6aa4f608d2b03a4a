project "a" {}
project "b" {} # ERROR: Duplicate project block
