package gate

import (
	"strings"
	"testing"
)

func TestTokenRoundTrip(t *testing.T) {
	t.Parallel()
	key := []byte(strings.Repeat("k", 32))
	c := Claims{ChangeID: "chg-1", Step: StepApprove, ContentHash: strings.Repeat("a", 64), IssuedAt: 1, ExpiresAt: 2}
	tok, err := signToken(key, c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseToken(key, tok)
	if err != nil {
		t.Fatal(err)
	}
	if got.ChangeID != c.ChangeID || got.Step != c.Step || got.ContentHash != c.ContentHash || got.ExpiresAt != 2 || len(got.Nonce) != 16 {
		t.Errorf("round trip: %+v", got)
	}
	if tok2, _ := signToken(key, c); tok2 == tok {
		t.Error("two tokens for the same step are identical (no nonce)")
	}
	if _, err := parseToken([]byte(strings.Repeat("x", 32)), tok); err != errTokenSignature {
		t.Errorf("other key: %v", err)
	}
	parts := strings.Split(tok, ".")
	for name, bad := range map[string]string{
		"empty":         "",
		"two parts":     parts[0] + "." + parts[1],
		"wrong version": "igt2." + parts[1] + "." + parts[2],
		"bad base64":    parts[0] + ".!!!." + parts[2],
		"swapped sig":   parts[0] + "." + parts[1] + "." + parts[2][:10],
	} {
		if _, err := parseToken(key, bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if insp, ok := InspectToken(tok); !ok || insp.ChangeID != "chg-1" {
		t.Errorf("InspectToken: %+v %v", insp, ok)
	}
}

func TestTagInjection(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.Tags.Required["Team"] = []string{"platform"}
	cfg.Tags.Required["Tier"] = []string{"gold", "silver"}
	cases := []struct {
		name    string
		src     string
		added   string
		missing string
		invalid string
		skipped bool
		tagsAt  string // expected Tags form in the content
	}{
		{
			name:    "list form, defaults filled",
			src:     "environment: prod\noperation: create\nresourceType: AWS::SQS::Queue\nrequester: carol\nproperties:\n  Tags: [{Key: CostCenter, Value: Eng}, {Key: Tier, Value: bronze}]\n",
			added:   "CreatedBy=carol CreatedDate=2025-11-02 Environment=production MANAGED_BY=iamguard Project=SynthCore Team=platform",
			invalid: "Tier=bronze (allowed: gold, silver)",
			tagsAt:  `"Tags":[{"Key":"CostCenter"`,
		},
		{
			name:    "map form for SSM parameters",
			src:     "environment: dev\noperation: create\nresourceType: AWS::SSM::Parameter\nrequester: carol\nproperties:\n  Type: String\n  Value: x\n",
			added:   "CreatedBy=carol CreatedDate=2025-11-02 Environment=development MANAGED_BY=iamguard Project=SynthCore Team=platform",
			missing: "CostCenter Tier",
			tagsAt:  `"Tags":{"CreatedBy":"carol"`,
		},
		{
			name:   "kept values",
			src:    "environment: dev\noperation: update\nidentifier: q\nresourceType: AWS::SQS::Queue\nrequester: carol\nproperties:\n  Tags: [{Key: CreatedDate, Value: '2024-01-01'}, {Key: CostCenter, Value: Eng}, {Key: Tier, Value: gold}, {Key: MANAGED_BY, Value: terraform}]\n",
			added:  "CreatedBy=carol Environment=development Project=SynthCore Team=platform",
			tagsAt: `{"Key":"CreatedDate","Value":"2024-01-01"}`,
		},
		{name: "untaggable type", src: "environment: dev\noperation: create\nresourceType: AWS::IAM::RolePolicy\nrequester: carol\nproperties: {RoleName: r, PolicyName: p, PolicyDocument: {}}\n", skipped: true},
		{name: "delete", src: "environment: dev\noperation: delete\nidentifier: q\nresourceType: AWS::SQS::Queue\nrequester: carol\n", skipped: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := mustChange(t, tc.src)
			res, err := injectTags(cfg, c, "2025-11-02")
			if err != nil {
				t.Fatal(err)
			}
			if (res.Skipped != "") != tc.skipped {
				t.Fatalf("skipped %q", res.Skipped)
			}
			var added []string
			for _, k := range sortedKeys(res.Added) {
				added = append(added, k+"="+res.Added[k])
			}
			if strings.Join(added, " ") != tc.added || strings.Join(res.Missing, " ") != tc.missing || strings.Join(res.Invalid, " ") != tc.invalid {
				t.Errorf("added %v missing %v invalid %v", added, res.Missing, res.Invalid)
			}
			canon, _ := c.Canonical()
			if !strings.Contains(string(canon), tc.tagsAt) {
				t.Errorf("content %s lacks %s", canon, tc.tagsAt)
			}
		})
	}
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	for i := range ks {
		for j := i + 1; j < len(ks); j++ {
			if ks[j] < ks[i] {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	return ks
}

// FuzzParseToken: a token is untrusted input; parsing never panics, and
// only a token signed with the key verifies.
func FuzzParseToken(f *testing.F) {
	key := []byte(strings.Repeat("k", 32))
	good, _ := signToken(key, Claims{ChangeID: "chg-1", Step: StepPlan, ContentHash: strings.Repeat("a", 64), ExpiresAt: 9})
	f.Add(good)
	f.Add("igt1..")
	f.Add("igt1.e30.AAAA")
	f.Add(strings.Replace(good, "igt1.", "igt1.x", 1))
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := parseToken(key, tok)
		if err != nil {
			return
		}
		if c.ChangeID == "" || c.Step == "" {
			t.Fatalf("verified a token without a change or step: %+v", c)
		}
		if _, err := parseToken([]byte(strings.Repeat("x", 32)), tok); err == nil {
			t.Fatal("a token verified under two keys")
		}
		InspectToken(tok)
	})
}
