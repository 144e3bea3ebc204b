package policy_test

import (
	"fmt"
	"os"

	"github.com/iamguard/iamguard/policy"
)

func ExampleParse() {
	// Engify's Lambda trust policy, with a mistake: "action" is lower-case.
	doc := []byte(`{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"Service": "lambda.amazonaws.com"},
      "action": "sts:AssumeRole"
    }
  ]
}`)
	p, err := policy.Parse("trust-policy.json", doc)
	if err != nil {
		fmt.Println(err) // not JSON or YAML at all
		return
	}
	fmt.Println(p.Statements[0].Principal.Entries[0].Values.Texts())
	for _, pr := range p.Problems {
		fmt.Printf("%s: %s %s: %s\n", pr.Pos, pr.Code, pr.Path, pr.Message)
	}
	// Output:
	// [lambda.amazonaws.com]
	// trust-policy.json:7:7: INVALID_POLICY_ELEMENT Statement[0].action: unknown element "action": element names are case-sensitive; did you mean "Action"?
}

func ExampleFormat() {
	doc := []byte(`{"Statement": {"Resource": "*", "Action": ["ses:SendEmail", "ses:SendRawEmail"], "Effect": "Allow"}, "Version": "2012-10-17"}`)
	p, err := policy.Parse("SynthCoreAI-SES-SendOnly.json", doc)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := policy.Format(p)
	if err != nil {
		fmt.Println(err) // grammar problems the printer cannot represent
		return
	}
	os.Stdout.Write(out)
	// Output:
	// {
	//   "Version": "2012-10-17",
	//   "Statement": [
	//     {
	//       "Effect": "Allow",
	//       "Action": [
	//         "ses:SendEmail",
	//         "ses:SendRawEmail"
	//       ],
	//       "Resource": "*"
	//     }
	//   ]
	// }
}

func ExampleDetectKind() {
	p, _ := policy.Parse("trust.json", []byte(`{"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}`))
	fmt.Println(policy.DetectKind(p))
	// Output: trust
}
