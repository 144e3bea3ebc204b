package eval_test

import (
	"fmt"

	"github.com/iamguard/iamguard/eval"
	"github.com/iamguard/iamguard/policy"
)

// The Engify Lambda execution role may read its MongoDB URI but not
// describe it.
func ExampleDecide() {
	doc, _ := policy.Parse("Engify-Lambda-Execution.json", []byte(`{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "arn:aws:logs:*:*:*"},
    {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": ["arn:aws:secretsmanager:*:*:secret:engify/*"]}
  ]
}`))
	set, err := eval.Compile(eval.Policies{Identity: []*policy.Policy{doc}})
	if err != nil {
		panic(err)
	}
	for _, action := range []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"} {
		req, err := eval.Prepare(eval.Request{
			Principal: "arn:aws:sts::123456789012:assumed-role/engify-lambda-execution-role/engify-rag",
			Action:    action,
			Resource:  "arn:aws:secretsmanager:us-east-1:123456789012:secret:engify/mongodb-uri-AbCdEf",
		})
		if err != nil {
			panic(err)
		}
		res := eval.Decide(set, req)
		fmt.Println(action, res.Decision)
	}
	// Output:
	// secretsmanager:GetSecretValue allowed
	// secretsmanager:DescribeSecret implicitDeny
}

// Compile once, decide many times: a PolicySet is read-only and safe to
// share between goroutines.
func ExampleCompile() {
	scp, _ := policy.Parse("deny-regions.json", []byte(`{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "*", "Resource": "*"},
  {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-east-2"]}}}]}`))
	identity, _ := policy.Parse("admin.json", []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`))
	set, err := eval.Compile(eval.Policies{
		Identity: []*policy.Policy{identity},
		SCPs:     [][]*policy.Policy{{scp}},
	})
	if err != nil {
		panic(err)
	}
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		req, _ := eval.Prepare(eval.Request{
			Principal: "arn:aws:iam::123456789012:user/alice",
			Action:    "secretsmanager:GetSecretValue",
			Resource:  "arn:aws:secretsmanager:" + region + ":123456789012:secret:engify/mongodb-uri-AbCdEf",
		})
		res := eval.Decide(set, req)
		fmt.Println(region, res.Decision, res.Statement != nil && res.Statement.PolicyType == eval.ServiceControlPolicy)
	}
	// Output:
	// us-east-1 allowed false
	// eu-west-1 explicitDeny true
}

// Explain says why, and what to change.
func ExampleExplain() {
	s, err := eval.ParseScenario("scenario.yaml", []byte(`
request:
  principal: arn:aws:sts::123456789012:assumed-role/engify-lambda-execution-role/engify-rag
  action: secretsmanager:GetSecretValue
  resource: arn:aws:secretsmanager:us-east-2:123456789012:secret:engify/mongodb-uri-AbCdEf
identityPolicies:
  - name: Engify-Lambda-Execution
    document:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: secretsmanager:GetSecretValue
          Resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:engify/*
`))
	if err != nil {
		panic(err)
	}
	set, _ := eval.Compile(s.Policies)
	ex := eval.Explain(set, s.Prepared())
	fmt.Println(ex.Decision)
	fmt.Println(ex.Missing.PolicyType)
	fmt.Println(string(ex.Fixes[0].Statement))
	fmt.Println(ex.Hints[0])
	// Output:
	// implicitDeny
	// identityPolicies
	// {"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:us-east-2:123456789012:secret:engify/mongodb-uri-AbCdEf"}
	// Resource ARN mismatch: the closest pattern is "arn:aws:secretsmanager:us-east-1:123456789012:secret:engify/*"; region mismatch: the policy allows us-east-1, the request is in us-east-2.
}

// ParseScenario reads DESIGN.md's scenario contract; every error names
// file:line:col.
func ExampleParseScenario() {
	_, err := eval.ParseScenario("bad.yaml", []byte(`request:
  principal: arn:aws:iam::123456789012:user/alice
  action: s3:GetObject
  resource: arn:aws:s3:::engify-ai-uploads/a.txt
identityPolicies:
  - Version: "2012-10-17"
    Statement:
      - Effect: Allow
        Action: s3:GetObject
        Resource: "*"
        Condition: {StringEqualz: {aws:username: alice}}
`))
	fmt.Println(err)
	// Output:
	// bad.yaml:11:21: unknown condition operator "StringEqualz"
}
