variable "encrypted" {
  default = true
}

resource "aws_db_instance" "engify" {
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  storage_encrypted = var.encrypted
}

resource "aws_rds_cluster" "engify" {
  engine            = "aurora-postgresql"
  storage_encrypted = true
}

resource "aws_rds_cluster_instance" "member" {
  cluster_identifier = aws_rds_cluster.engify.id
  instance_class     = "db.r6g.large"
}
