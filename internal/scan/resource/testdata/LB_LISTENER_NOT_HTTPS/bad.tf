resource "aws_lb_listener" "http" { # expect
  load_balancer_arn = aws_lb.app.arn
  port              = 80
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}
