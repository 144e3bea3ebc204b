provider "aws" {
  region = var.region
  default_tags {
    tags = {
      MANAGED_BY  = "terraform"
      Project     = "SynthCore"
      CostCenter  = "Engineering"
      CreatedBy   = "Claude Code"
      CreatedDate = "2025-11-02"
    }
  }
}

variable "region" {
  default = "us-east-1"
}

variable "environment" {
  default = "development"
}
