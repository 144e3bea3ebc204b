package gate

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestPriceTableIsSound(t *testing.T) {
	t.Parallel()
	tbl := Prices()
	if _, err := time.Parse(time.DateOnly, tbl.Date); err != nil {
		t.Errorf("price table date %q: %v", tbl.Date, err)
	}
	if tbl.Source == "" || tbl.Region == "" || tbl.Currency != "USD" || tbl.HoursPerMonth != 730 || len(tbl.Notes) == 0 {
		t.Errorf("price table header incomplete: %+v", tbl)
	}
	typeOrPattern := regexp.MustCompile(`^[A-Za-z0-9]+::[A-Za-z0-9]+::([A-Za-z0-9]+|\*)$`)
	for k, e := range tbl.Resources {
		if !typeOrPattern.MatchString(k) {
			t.Errorf("%s is not a type name", k)
		}
		if e.Note == "" {
			t.Errorf("%s has no note saying what the price covers", k)
		}
		if e.By != "" && len(e.HourlyBy) == 0 {
			t.Errorf("%s prices by %s but lists no values", k, e.By)
		}
		for size, h := range e.HourlyBy {
			if h <= 0 || h > 50 {
				t.Errorf("%s %s: implausible hourly price %v", k, size, h)
			}
		}
	}
}

func TestEstimate(t *testing.T) {
	t.Parallel()
	num := func(s string) json.Number { return json.Number(s) }
	cases := []struct {
		name  string
		typ   string
		props map[string]any
		usd   float64
		known bool
		basis string
	}{
		{"NAT gateway", "AWS::EC2::NatGateway", nil, 32.85, true, "$0.045/h"},
		{"t3.micro", "AWS::EC2::Instance", map[string]any{"InstanceType": "t3.micro"}, 7.59, true, "t3.micro"},
		{"unlisted instance type", "AWS::EC2::Instance", map[string]any{"InstanceType": "p5.48xlarge"}, 0, false, "not in the price table"},
		{"instance type missing", "AWS::EC2::Instance", map[string]any{}, 0, false, "without InstanceType"},
		{"RDS single-AZ with storage", "AWS::RDS::DBInstance", map[string]any{"DBInstanceClass": "db.t3.micro", "AllocatedStorage": num("20")}, 14.71, true, "AllocatedStorage"},
		{"RDS storage as a string", "AWS::RDS::DBInstance", map[string]any{"DBInstanceClass": "db.t3.micro", "AllocatedStorage": "20"}, 14.71, true, ""},
		{"RDS multi-AZ", "AWS::RDS::DBInstance", map[string]any{"DBInstanceClass": "db.m5.large", "MultiAZ": true}, 249.66, true, "×2 MultiAZ"},
		{"DynamoDB on demand", "AWS::DynamoDB::Table", map[string]any{"BillingMode": "PAY_PER_REQUEST"}, 0, true, "costs nothing"},
		{"DynamoDB provisioned", "AWS::DynamoDB::Table", map[string]any{"ProvisionedThroughput": map[string]any{"ReadCapacityUnits": num("5"), "WriteCapacityUnits": num("5")}}, 2.85, true, "WriteCapacityUnits"},
		{"DynamoDB provisioned without throughput", "AWS::DynamoDB::Table", map[string]any{}, 0, false, "without ProvisionedThroughput"},
		{"ElastiCache two nodes", "AWS::ElastiCache::CacheCluster", map[string]any{"CacheNodeType": "cache.t3.micro", "NumCacheNodes": num("2")}, 24.82, true, "×2 NumCacheNodes"},
		{"KMS key", "AWS::KMS::Key", nil, 1, true, "$1/month"},
		{"IAM by pattern", "AWS::IAM::ManagedPolicy", nil, 0, true, "AWS::IAM::*"},
		{"Lambda", "AWS::Lambda::Function", nil, 0, true, ""},
		{"S3 bucket", "AWS::S3::Bucket", nil, 0, true, ""},
		{"SQS", "AWS::SQS::Queue", nil, 0, true, ""},
		{"SNS", "AWS::SNS::Topic", nil, 0, true, ""},
		{"unknown type", "AWS::Redshift::Cluster", nil, 0, false, "not in the price table"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := Prices().Estimate(tc.typ, tc.props)
			if e.Known != tc.known || e.USD != tc.usd {
				t.Errorf("Estimate = %v known=%v (%s); want %v known=%v", e.USD, e.Known, e.Basis, tc.usd, tc.known)
			}
			if !strings.Contains(e.Basis, tc.basis) {
				t.Errorf("basis %q lacks %q", e.Basis, tc.basis)
			}
		})
	}
}
