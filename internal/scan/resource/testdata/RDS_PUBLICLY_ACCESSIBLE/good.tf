resource "aws_db_instance" "engify" {
  engine         = "postgres"
  instance_class = "db.t3.micro"
}
