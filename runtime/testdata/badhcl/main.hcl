project "nba-mcp" {
  namespace = "nba-mcp"
}

cache "player_stats" {
  l1 {
    max_entrys = 10
  }
}
