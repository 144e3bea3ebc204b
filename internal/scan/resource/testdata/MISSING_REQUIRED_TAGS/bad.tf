resource "aws_s3_bucket" "uploads" {
  bucket = "synthcoreai-uploads"
  tags = { # expect
    Project = "SynthCore"
  }
}

resource "aws_sqs_queue" "jobs" { # expect
  name = "synthcoreai-jobs"
}
