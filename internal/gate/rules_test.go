package gate

import (
	"fmt"
	"testing"

	"github.com/iamguard/iamguard/config"
)

// TestSeedApprovalTable is seed 001's "Quick Reference: Approval
// Requirements", row by row, through Plan with the default rules:
//
//	| Create resource <$10/mo  | Approval No  | Security Scan Yes |
//	| Create resource >=$10/mo | Approval Yes | Security Scan Yes |
//	| Read prod resources      | Approval No  | Security Scan No  |
//	| Update prod resources    | Approval Yes | Security Scan Yes |
//	| Create IAM policy        | Approval No  | Security Scan Yes |
//	| Delete resources         | Approval Yes | Security Scan No  |
//
// plus both sides of $10, an unknown cost, estimated costs, and reads,
// updates and deletes in dev as well as prod.
func TestSeedApprovalTable(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.Promotion.RequireDev = false // promotion has its own tests
	g := newTestGate(t, cfg)
	const tags = `  Tags: [{Key: CostCenter, Value: Engineering}]`
	queue := func(env, cost string) string {
		return fmt.Sprintf("environment: %s\noperation: create\nresourceType: AWS::SQS::Queue\nrequester: carol\nmonthlyCost: %s\nproperties:\n  QueueName: jobs\n%s\n", env, cost, tags)
	}
	estimated := func(env, typ, props string) string {
		return fmt.Sprintf("environment: %s\noperation: create\nresourceType: %s\nrequester: carol\nproperties:\n%s\n%s\n", env, typ, props, tags)
	}
	other := func(env, op string) string {
		props := ""
		if op == "update" {
			props = "properties:\n  VisibilityTimeout: 60\n" + tags + "\n"
		}
		return fmt.Sprintf("environment: %s\noperation: %s\nresourceType: AWS::SQS::Queue\nidentifier: https://sqs.us-east-1.amazonaws.com/111111111111/jobs\nrequester: carol\n%s", env, op, props)
	}
	policy := func(env, cost string) string {
		c := ""
		if cost != "" {
			c = "monthlyCost: " + cost + "\n"
		}
		return fmt.Sprintf(`environment: %s
operation: create
resourceType: AWS::IAM::ManagedPolicy
requester: carol
%sproperties:
  ManagedPolicyName: SynthCoreAI-SES-SendOnly
  PolicyDocument:
    Version: "2012-10-17"
    Statement:
      - {Effect: Allow, Action: [ses:SendEmail, ses:SendRawEmail], Resource: "*"}
%s
`, env, c, tags)
	}
	cases := []struct {
		name, change   string
		rule           string
		approval, scan bool
		costSource     CostSource
		cost           float64 // when known
	}{
		{"create $0 dev", queue("dev", "0"), "create-under-10", false, true, CostGiven, 0},
		{"create $9.99 dev", queue("dev", "9.99"), "create-under-10", false, true, CostGiven, 9.99},
		{"create $9.99 prod", queue("prod", "9.99"), "create-under-10", false, true, CostGiven, 9.99},
		{"create $10 dev", queue("dev", "10"), "create-10-or-more", true, true, CostGiven, 10},
		{"create $10 prod", queue("prod", "10"), "create-10-or-more", true, true, CostGiven, 10},
		{"create $10.01 prod", queue("prod", "10.01"), "create-10-or-more", true, true, CostGiven, 10.01},
		{"create $250 dev", queue("dev", "250"), "create-10-or-more", true, true, CostGiven, 250},
		{"create unknown cost dev", queue("dev", "unknown"), "create-10-or-more", true, true, CostUnknown, 0},
		{"create unknown cost prod", queue("prod", "unknown"), "create-10-or-more", true, true, CostUnknown, 0},
		{"create estimated SQS ($0)", estimated("dev", "AWS::SQS::Queue", "  QueueName: jobs"), "create-under-10", false, true, CostEstimated, 0},
		{"create estimated t3.nano ($3.80)", estimated("dev", "AWS::EC2::Instance", "  InstanceType: t3.nano\n  ImageId: ami-0abcdef1234567890"), "create-under-10", false, true, CostEstimated, 3.8},
		{"create estimated NAT gateway ($32.85)", estimated("prod", "AWS::EC2::NatGateway", "  SubnetId: subnet-0abc\n  AllocationId: eipalloc-0abc"), "create-10-or-more", true, true, CostEstimated, 32.85},
		{"create estimated db.t3.micro ($14.71)", estimated("dev", "AWS::RDS::DBInstance", "  DBInstanceClass: db.t3.micro\n  AllocatedStorage: 20\n  StorageEncrypted: true"), "create-10-or-more", true, true, CostEstimated, 14.71},
		{"create unpriced instance type", estimated("dev", "AWS::EC2::Instance", "  InstanceType: x9.mega"), "create-10-or-more", true, true, CostUnknown, 0},
		{"create unpriced resource type", estimated("dev", "AWS::Kinesis::Stream", "  ShardCount: 1"), "create-10-or-more", true, true, CostUnknown, 0},
		{"read prod", other("prod", "read"), "read-prod", false, false, CostEstimated, 0},
		{"read dev", other("dev", "read"), "read", false, false, CostEstimated, 0},
		{"update prod", other("prod", "update"), "update-prod", true, true, CostEstimated, 0},
		{"update dev", other("dev", "update"), "update-non-prod", false, true, CostEstimated, 0},
		{"delete prod", other("prod", "delete"), "delete-resources", true, false, CostEstimated, 0},
		{"delete dev", other("dev", "delete"), "delete-resources", true, false, CostEstimated, 0},
		{"create IAM policy dev", policy("dev", ""), "create-iam-policy", false, true, CostEstimated, 0},
		{"create IAM policy prod", policy("prod", ""), "create-iam-policy", false, true, CostEstimated, 0},
		{"create IAM policy given $50", policy("prod", "50"), "create-iam-policy", false, true, CostGiven, 50},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := g.plan(t, mustChange(t, tc.change))
			if p.Rule.Name != tc.rule || p.ApprovalRequired != tc.approval || p.ScanRequired != tc.scan {
				t.Errorf("rule %s approval %v scan %v; want %s %v %v (why: %s)", p.Rule.Name, p.ApprovalRequired, p.ScanRequired, tc.rule, tc.approval, tc.scan, p.Rule.Why)
			}
			if p.MonthlyCostSource != tc.costSource {
				t.Errorf("cost source %s, want %s (%s)", p.MonthlyCostSource, tc.costSource, p.Cost.Basis)
			}
			switch {
			case tc.costSource == CostUnknown && p.MonthlyCost != nil:
				t.Errorf("unknown cost reported as %v", *p.MonthlyCost)
			case tc.costSource != CostUnknown && (p.MonthlyCost == nil || *p.MonthlyCost != tc.cost):
				t.Errorf("monthly cost %v, want %v (%s)", p.MonthlyCost, tc.cost, p.Cost.Basis)
			}
			if tc.costSource == CostEstimated && p.Cost.PriceTableDate == "" {
				t.Error("an estimate without the price table's date")
			}
			wantScan := ScanSkipped
			if tc.scan {
				wantScan = ScanPassed
			}
			if p.ScanStatus != wantScan {
				t.Errorf("scan %s, want %s: %+v", p.ScanStatus, wantScan, p.Findings)
			}
			wantNext := NextApply
			if tc.approval {
				wantNext = NextRequestApproval
			}
			if p.Next != wantNext {
				t.Errorf("next %s, want %s (%v)", p.Next, wantNext, p.Steps)
			}
		})
	}
}

func TestDecideCustomRules(t *testing.T) {
	t.Parallel()
	f := func(v float64) *float64 { return &v }
	cfg := testConfig()
	cfg.Environments["staging"] = config.Environment{TagValue: "staging"}
	cfg.Approvals.Rules = []config.ApprovalRule{
		{Name: "iam-anything", ResourceTypes: []string{"AWS::IAM::*"}, Approval: true, Scan: true},
		{Name: "staging", Environment: "staging", Approval: false, Scan: false},
		{Name: "band", MinMonthlyCost: f(5), MaxMonthlyCost: f(50), Approval: true, Scan: false},
	}
	usd := func(v float64) CostInfo { return CostInfo{USD: &v, Source: CostGiven} }
	cases := []struct {
		name  string
		c     Change
		cost  CostInfo
		want  string
		index int
	}{
		{"type glob, case-insensitive", Change{Environment: "dev", Operation: Create, ResourceType: "aws::iam::Role"}, usd(0), "iam-anything", 0},
		{"environment by name", Change{Environment: "staging", Operation: Delete, ResourceType: "AWS::S3::Bucket"}, usd(0), "staging", 1},
		{"inside the band", Change{Environment: "dev", Operation: Create, ResourceType: "AWS::S3::Bucket"}, usd(5), "band", 2},
		{"max is exclusive", Change{Environment: "dev", Operation: Create, ResourceType: "AWS::S3::Bucket"}, usd(50), NoRuleName, -1},
		{"unknown cost never matches a max", Change{Environment: "dev", Operation: Create, ResourceType: "AWS::S3::Bucket"}, CostInfo{Source: CostUnknown}, NoRuleName, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := Decide(cfg, &tc.c, tc.cost)
			if d.Name != tc.want || d.Index != tc.index {
				t.Errorf("Decide = %+v, want %s at %d", d, tc.want, tc.index)
			}
			if d.Index == -1 && (!d.Approval || !d.Scan) {
				t.Errorf("no rule matched but the decision is not conservative: %+v", d)
			}
		})
	}
}
