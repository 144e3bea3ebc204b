resource "aws_sqs_queue" "jobs" {
  name                    = "engify-jobs"
  sqs_managed_sse_enabled = false # expect
}
