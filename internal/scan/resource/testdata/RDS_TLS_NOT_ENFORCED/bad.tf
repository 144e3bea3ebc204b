resource "aws_db_parameter_group" "mysql" {
  family = "mysql8.0"
  parameter {
    name  = "require_secure_transport"
    value = "0" # expect
  }
}
