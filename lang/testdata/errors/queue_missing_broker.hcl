project "p" {}
queue "q" {
  broker = broker.rabbit # ERROR: Reference to undeclared broker
}
