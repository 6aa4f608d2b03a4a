variable "environment" {
  type        = string
  default     = "dev"
  description = "Which environment this build is for."
  validation {
    condition     = contains(["dev", "staging", "production"], var.environment)
    error_message = "environment must be dev, staging or production."
  }
}

variable "image_tag" {
  type        = string
  default     = "v1.0.0"
  description = "Tag of the nba-mcp image to deploy."
}

variable "autoscale" {
  type = object({
    min = number
    max = number
    cpu = optional(number, 70)
  })
  default     = { min = 1, max = 2 }
  description = "Horizontal pod autoscaling bounds and CPU target (percent)."
}

variable "resources" {
  type = object({
    cpu_request    = string
    cpu_limit      = string
    memory_request = string
    memory_limit   = string
  })
  default = {
    cpu_request    = "100m"
    cpu_limit      = "500m"
    memory_request = "256Mi"
    memory_limit   = "512Mi"
  }
}

variable "log_level" {
  type    = string
  default = "debug"
  validation {
    condition     = contains(["debug", "info", "warning", "error"], var.log_level)
    error_message = "log_level must be debug, info, warning or error."
  }
}

variable "ingress_host" {
  type    = string
  default = "nba-mcp.dev.example.com"
}

variable "gateway_api" {
  type        = bool
  default     = false
  description = "Route through the shared Gateway API gateway instead of an Ingress."
}

variable "ingestion_workers" {
  type    = number
  default = 2
}

variable "ingestion_max_replicas" {
  type        = number
  default     = 4
  description = "Most ingestion worker pods KEDA may run when the queue backs up."
}
