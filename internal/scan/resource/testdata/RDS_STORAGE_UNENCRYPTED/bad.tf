resource "aws_db_instance" "engify" { # expect
  engine         = "postgres"
  instance_class = "db.t3.micro"
}

resource "aws_rds_cluster" "engify" {
  engine            = "aurora-postgresql"
  storage_encrypted = false # expect
}
