resource "aws_sqs_queue" "jobs" {
  name = "engify-jobs"
}

resource "aws_sqs_queue" "kms_jobs" {
  name              = "engify-kms-jobs"
  kms_master_key_id = "alias/aws/sqs"
}
