package capability

import (
	"slices"
	"testing"
)

func TestFind(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		need string
		want []string
	}{
		{"I need to add file upload to S3", []string{"s3-file-upload"}},
		{"upload files to our bucket", []string{"s3-file-upload"}},
		{"read secrets from Secrets Manager", []string{"secrets-read"}},
		{"send emails via SES", []string{"ses-send-email"}},
		{"the worker must consume the SQS queue", []string{"sqs-consume"}},
		{"publish to an SNS topic", []string{"sns-publish"}},
		{"read and write items in the DynamoDB table", []string{"dynamodb-write"}},
		{"invoke a lambda function", []string{"lambda-invoke"}},
		{"write logs to CloudWatch", []string{"logs-write"}},
		{"decrypt with the KMS key", []string{"kms-decrypt"}},
		{"read parameters from parameter store", []string{"ssm-read-parameters"}},
		{"pull images from ECR", []string{"ecr-pull"}},
		{"push a docker image", []string{"ecr-push"}},
		{"read secrets and send email", []string{"secrets-read", "ses-send-email"}},
		{"assume a role in another account", []string{"sts-assume-role"}},
		{"call a Bedrock model", []string{"bedrock-invoke-model"}},
	} {
		t.Run(tc.need, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, m := range Find(tc.need) {
				got = append(got, m.Entry.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Find(%q) = %v; want %v", tc.need, got, tc.want)
			}
		})
	}
}

func TestFindNothing(t *testing.T) {
	t.Parallel()
	for _, need := range []string{"", "the", "reboot an EC2 instance"} {
		if got := Find(need); len(got) != 0 {
			t.Errorf("Find(%q) = %v (%s); want none", need, got[0].Entry.ID, got[0].Phrase)
		}
	}
}

func TestSearch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ need, want string }{
		{"reboot an EC2 instance", "ec2:RebootInstances"},
		{"start a CodeBuild build", "codebuild:StartBuild"},
		{"translate text", "translate:TranslateText"},
	} {
		hits := Search(tc.need, 5)
		var names []string
		for _, h := range hits {
			names = append(names, h.Action.FullName())
		}
		if len(hits) == 0 || hits[0].Action.FullName() != tc.want {
			t.Errorf("Search(%q) = %v; want %s first", tc.need, names, tc.want)
		}
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"I need to add file uploads to S3", []string{"file", "upload", "s3"}},
		{"PutObject", []string{"put", "object"}},
		{"stored store storing", []string{"stor", "stor", "stor"}},
		{"queues queued", []string{"queu", "queu"}},
	} {
		if got := Tokens(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Tokens(%q) = %v; want %v", tc.in, got, tc.want)
		}
	}
}
