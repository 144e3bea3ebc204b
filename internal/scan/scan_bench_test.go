package scan

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/iamguard/iamguard/internal/iac"
	"github.com/iamguard/iamguard/internal/scan/resource"
)

// genCFN writes a CloudFormation template of n resources cycling through
// buckets with policies, roles with inline policies, security groups,
// databases and queues: the mix a real stack has.
func genCFN(n int) []byte {
	var b strings.Builder
	b.WriteString("AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  Environment:\n    Type: String\n    Default: production\nResources:\n")
	tags := "      Tags:\n        - {Key: MANAGED_BY, Value: CCAPI-MCP-SERVER}\n        - {Key: Environment, Value: !Ref Environment}\n        - {Key: Project, Value: SynthCore}\n"
	for i := range n {
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, "  Bucket%d:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub \"synthcoreai-${Environment}-%d\"\n%s", i, i, tags)
		case 1:
			fmt.Fprintf(&b, "  BucketPolicy%d:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref Bucket%d\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Deny\n            Principal: \"*\"\n            Action: \"s3:*\"\n            Resource: !Sub \"${Bucket%d.Arn}/*\"\n            Condition: {Bool: {aws:SecureTransport: \"false\"}}\n", i, i-1, i-1)
		case 2:
			fmt.Fprintf(&b, "  Role%d:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: synthcore-role-%d\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}\n      Policies:\n        - PolicyName: SynthCoreAI-S3-FileUpload%d\n          PolicyDocument:\n            Version: \"2012-10-17\"\n            Statement:\n              - {Effect: Allow, Action: [s3:PutObject, s3:GetObject], Resource: \"arn:aws:s3:::synthcoreai-*/*\"}\n%s", i, i, i, tags)
		case 3:
			fmt.Fprintf(&b, "  Sg%d:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: sg\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}\n        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}\n%s", i, tags)
		case 4:
			fmt.Fprintf(&b, "  Db%d:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n      DBInstanceClass: db.t3.micro\n      StorageEncrypted: true\n%s", i, tags)
		}
	}
	return []byte(b.String())
}

// genTF writes a Terraform module of n resources with the same mix.
func genTF(n int) []byte {
	var b strings.Builder
	b.WriteString("provider \"aws\" {\n  default_tags {\n    tags = {\n      MANAGED_BY = \"terraform\"\n      Project = \"SynthCore\"\n    }\n  }\n}\nvariable \"environment\" {\n  default = \"production\"\n}\nlocals {\n  prefix = \"synthcoreai-${var.environment}\"\n}\n")
	for i := range n {
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, "resource \"aws_s3_bucket\" \"b%d\" {\n  bucket = \"${local.prefix}-%d\"\n  tags = { Environment = var.environment }\n}\n", i, i)
		case 1:
			fmt.Fprintf(&b, "resource \"aws_s3_bucket_server_side_encryption_configuration\" \"b%d\" {\n  bucket = aws_s3_bucket.b%d.id\n  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm = \"aws:kms\"\n    }\n  }\n}\n", i, i-1)
		case 2:
			fmt.Fprintf(&b, "resource \"aws_iam_policy\" \"p%d\" {\n  name = \"SynthCoreAI-S3-FileUpload%d\"\n  policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{\n      Effect = \"Allow\"\n      Action = [\"s3:PutObject\", \"s3:GetObject\"]\n      Resource = \"${aws_s3_bucket.b%d.arn}/*\"\n    }]\n  })\n}\n", i, i, i-2)
		case 3:
			fmt.Fprintf(&b, "resource \"aws_security_group\" \"sg%d\" {\n  name = \"sg%d\"\n  ingress {\n    from_port = 22\n    to_port = 22\n    protocol = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n  tags = { Environment = var.environment }\n}\n", i, i)
		case 4:
			fmt.Fprintf(&b, "resource \"aws_db_instance\" \"db%d\" {\n  engine = \"postgres\"\n  instance_class = \"db.t3.micro\"\n  storage_encrypted = true\n  tags = { Environment = var.environment }\n}\n", i)
		}
	}
	return []byte(b.String())
}

// BenchmarkLoadAndRules measures the IaC target: load + resource rules.
func BenchmarkLoadAndRules(b *testing.B) {
	rules := resource.New(nil)
	for _, n := range []int{1000, 4000} {
		cfn, tf := genCFN(n), genTF(n)
		b.Run(fmt.Sprintf("cloudformation/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(cfn)))
			for b.Loop() {
				t, errs := iac.LoadDocument("stack.yaml", cfn)
				if len(errs) > 0 || len(t.Resources) != n {
					b.Fatalf("%v, %d resources", errs, len(t.Resources))
				}
				_ = rules.Template(t)
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "resources/s")
		})
		b.Run(fmt.Sprintf("terraform/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tf)))
			files := map[string][]byte{"m/main.tf": tf}
			for b.Loop() {
				t, errs := iac.LoadTerraform("m", files)
				if len(errs) > 0 || len(t.Resources) != n {
					b.Fatalf("%v, %d resources", errs, len(t.Resources))
				}
				_ = rules.Template(t)
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "resources/s")
		})
	}
}

// BenchmarkScan is the whole scan: load, rules, every embedded policy
// linted, every file searched for secrets.
func BenchmarkScan(b *testing.B) {
	const n = 2000
	fsys := fstest.MapFS{
		"cfn/stack.yaml": {Data: genCFN(n)},
		"tf/main.tf":     {Data: genTF(n)},
	}
	s := New(nil)
	b.ReportAllocs()
	for b.Loop() {
		res, err := s.Scan(context.Background(), fsys, ".", Options{})
		if err != nil || res.Resources != 2*n {
			b.Fatalf("%v, %d resources", err, res.Resources)
		}
	}
	b.ReportMetric(float64(2*n*b.N)/b.Elapsed().Seconds(), "resources/s")
}
