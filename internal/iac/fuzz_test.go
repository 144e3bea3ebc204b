package iac

import (
	"testing"

	"github.com/iamguard/iamguard/node"
)

// exercise walks everything a rule or the scanner reads from a template,
// so a malformed input that loads cannot panic later.
func exercise(t *Template) {
	if t == nil {
		return
	}
	for _, r := range t.Resources {
		_ = r.Lookup("a[].b[].c")
		_ = r.Spec()
		for _, p := range r.Policies() {
			_ = p.Doc.Get("Statement")
		}
		_ = t.Flatten(r.Props)
		for _, tag := range r.Tags.List {
			_ = tag.Key
		}
	}
}

func FuzzCloudFormation(f *testing.F) {
	f.Add([]byte(cfnYAML))
	f.Add([]byte(`{"AWSTemplateFormatVersion":"2010-09-09","Resources":{"B":{"Type":"AWS::S3::Bucket","Properties":{"Tags":[{"Key":"a","Value":{"Fn::Sub":"${AWS::Region}"}}]}}}}`))
	f.Add([]byte("Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: !Sub '{\"Statement\": []}'\n      Policies: [{PolicyName: !Ref X, PolicyDocument: {Statement: {Effect: Allow, Resource: !GetAtt [R, Arn]}}}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"t.yaml", "t.json"} {
			tpl, _ := LoadDocument(name, data)
			exercise(tpl)
		}
	})
}

func FuzzTerraform(f *testing.F) {
	f.Add([]byte(tfMain))
	f.Add([]byte("data \"aws_iam_policy_document\" \"d\" {\n statement {\n  principals {\n   type = \"*\"\n   identifiers = [\"*\"]\n  }\n  condition {\n   test = \"Bool\"\n   variable = \"aws:SecureTransport\"\n   values = [\"false\"]\n  }\n }\n}\nresource \"aws_s3_bucket_policy\" \"p\" {\n bucket = aws_s3_bucket.b.id\n policy = data.aws_iam_policy_document.d.json\n}\n"))
	f.Add([]byte("resource \"aws_iam_policy\" \"p\" {\n  policy = <<EOF\n{\"Statement\": [{\"Effect\": \"Allow\"}]}\nEOF\n  tags = merge(local.x, {a = var.y})\n}\nlocals {\n x = local.y\n y = local.x\n}\n"))
	f.Add([]byte("variable \"on\" {\n default = false\n}\nresource \"aws_s3_bucket\" \"b\" {\n count = var.on ? 1 : 0\n}\nresource \"aws_s3_bucket\" \"c\" {\n for_each = toset([])\n bucket = each.key\n}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tpl, _ := LoadTerraform("m", map[string][]byte{"m/main.tf": data})
		exercise(tpl)
	})
}

const planSeed = `{"format_version":"1.2","planned_values":{"root_module":{"resources":[
 {"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket","name":"b","values":{"bucket":"x","tags_all":{"a":"b"}}},
 {"address":"aws_s3_bucket_policy.p","mode":"managed","type":"aws_s3_bucket_policy","name":"p","values":{"bucket":"x","policy":"{\"Statement\":[]}"}}],
 "child_modules":[{"resources":[{"address":"module.m.aws_sqs_queue.q","type":"aws_sqs_queue","values":{}}]}]}},
 "resource_changes":[{"address":"aws_s3_bucket.b","change":{"actions":["create"],"after_unknown":{"arn":true,"policy":true}}}],
 "configuration":{"root_module":{"resources":[{"address":"aws_s3_bucket_policy.p","expressions":{"bucket":{"references":["aws_s3_bucket.b.id","aws_s3_bucket.b"]}}}]}}}`

func FuzzTerraformPlan(f *testing.F) {
	f.Add([]byte(planSeed))
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"aws_sns_topic","change":{"actions":["create"],"after":{"kms_master_key_id":null}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		root, err := node.ParseJSON("plan.json", data)
		if err != nil {
			return
		}
		tpl, _ := LoadTerraformPlan("plan.json", root)
		exercise(tpl)
	})
}

func FuzzCloudControl(f *testing.F) {
	f.Add([]byte(`{"TypeName":"AWS::S3::Bucket","DesiredState":{"BucketName":"b","Tags":[{"Key":"Environment","Value":"production"}]}}`))
	f.Add([]byte(`{"TypeName":"AWS::IAM::Role","Identifier":"r","DesiredState":"{\"AssumeRolePolicyDocument\":{\"Statement\":[]}}"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		root, err := node.ParseJSON("cc.json", data)
		if err != nil {
			return
		}
		tpl, _ := LoadCloudControl("cc.json", root)
		exercise(tpl)
	})
}
