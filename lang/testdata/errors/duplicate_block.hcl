project "p" {}
service "api" { image = "nginx:1" }
service "api" { image = "nginx:2" } # ERROR: Duplicate service block | already declared at
