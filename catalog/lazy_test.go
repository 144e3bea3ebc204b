package catalog

import (
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/iamguard/iamguard/catalog/internal/catgen"
)

// TestLazyDecodeMatchesEager: a service decoded on first use (the embedded
// catalog) holds exactly what decoding everything at load gives, and each
// action's summary byte agrees with the decoded action.
func TestLazyDecodeMatchesEager(t *testing.T) {
	t.Parallel()
	lazy, err := decode(embedded, false)
	if err != nil {
		t.Fatal(err)
	}
	eager, err := decode(embedded, true)
	if err != nil {
		t.Fatal(err)
	}
	if lazy.NumActions() != eager.NumActions() || lazy.NumActions() < 20000 {
		t.Fatalf("actions: lazy %d, eager %d", lazy.NumActions(), eager.NumActions())
	}
	// Look some actions up by name and ID before any service is decoded:
	// neither may need the service's actions.
	id, ok := lazy.ActionID("S3:getobject")
	if !ok || lazy.blocks[lazy.serviceOfAction(id)].actions != nil {
		t.Fatalf("ActionID(S3:getobject) = %d, %v, or it decoded the service", id, ok)
	}
	if s := lazy.Summary(id); !s.HasAccessLevel(Read) || s.HasAccessLevel(Write) || !s.ReadOnly() || !s.HasResourceType() {
		t.Errorf("summary of s3:GetObject = %08b", s)
	}
	for i := range lazy.NumActions() {
		id := ActionID(i)
		if si := lazy.serviceOfAction(id); id < ActionID(lazy.blocks[si].first) || id >= ActionID(lazy.blocks[si].end) {
			t.Fatalf("serviceOfAction(%d) = %d, whose IDs are %d..%d", id, si, lazy.blocks[si].first, lazy.blocks[si].end)
		}
		la, ea := lazy.ActionByID(id), eager.ActionByID(id)
		if la.FullName() != ea.FullName() || la.Description != ea.Description || la.ID != id ||
			!reflect.DeepEqual(la.AccessLevels, ea.AccessLevels) || !reflect.DeepEqual(la.ConditionKeys, ea.ConditionKeys) ||
			!reflect.DeepEqual(la.DependentActions, ea.DependentActions) || len(la.Resources) != len(ea.Resources) {
			t.Fatalf("action %d: lazy %+v, eager %+v", i, la, ea)
		}
		hasType := false
		for j, r := range la.Resources {
			er := ea.Resources[j]
			if r.Name != er.Name || r.Required != er.Required || (r.Type == nil) != (er.Type == nil) ||
				!reflect.DeepEqual(r.ConditionKeys, er.ConditionKeys) || !reflect.DeepEqual(r.DependentActions, er.DependentActions) {
				t.Fatalf("%s resource %d: lazy %+v, eager %+v", la.FullName(), j, r, er)
			}
			hasType = hasType || r.Type != nil
		}
		sum := lazy.Summary(id)
		for _, l := range []AccessLevel{List, Read, Write, PermissionsManagement, Tagging} {
			if sum.HasAccessLevel(l) != la.HasAccessLevel(l) {
				t.Fatalf("%s: summary says %s is %v", la.FullName(), l, sum.HasAccessLevel(l))
			}
		}
		if sum.HasResourceType() != hasType {
			t.Fatalf("%s: summary says resource type %v", la.FullName(), sum.HasResourceType())
		}
		if got, ok := lazy.ActionID(la.FullName()); !ok || got != id {
			t.Fatalf("ActionID(%s) = %d, %v", la.FullName(), got, ok)
		}
	}
}

// TestConditionKeysOnFirstUse: no key is decoded at load; asking one
// service for its keys decodes them all, with the same definitions the key
// index hands out.
func TestConditionKeysOnFirstUse(t *testing.T) {
	t.Parallel()
	c, err := decode(embedded, false)
	if err != nil {
		t.Fatal(err)
	}
	s3, _ := c.Service("s3")
	if s3.keys != nil {
		t.Fatal("keys decoded at load")
	}
	keys := s3.ConditionKeys()
	if len(keys) < 30 {
		t.Fatalf("s3 has %d condition keys", len(keys))
	}
	for _, svc := range c.Services() {
		if svc.keys == nil {
			t.Fatalf("%s: keys not decoded with the others", svc.Prefix)
		}
	}
	for _, k := range keys {
		got, ok := c.ConditionKey(k.Name)
		if !ok || !strings.EqualFold(got.Name, k.Name) {
			t.Fatalf("ConditionKey(%q) = %v, %v", k.Name, got, ok)
		}
	}
}

// smallCatalog encodes the AWS service-reference fixture of the generator.
func smallCatalog(t testing.TB) []byte {
	d, err := catgen.FromAWSRef("internal/catgen/testdata/awsref", "", "2026-09-26")
	if err != nil {
		t.Fatal(err)
	}
	b, err := catgen.Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLoadRejectsDamage: Load decodes every block, so damage anywhere in
// the file is an error from Load (never a panic later), and the
// undamaged file loads.
func TestLoadRejectsDamage(t *testing.T) {
	t.Parallel()
	good := smallCatalog(t)
	c, err := Load(strings.NewReader(string(good)))
	if err != nil {
		t.Fatal(err)
	}
	if a, err := c.Action("s3:GetObject"); err != nil || !a.HasAccessLevel(Read) {
		t.Fatalf("s3:GetObject = %v, %v", a, err)
	}
	cases := map[string][]byte{
		"truncated by one byte": good[:len(good)-1],
		"one byte more":         append(append([]byte(nil), good...), 0),
		"bad magic":             append([]byte("IAMGCAT\x01"), good[len(formatMagic):]...),
	}
	for name, b := range cases {
		if _, err := Load(strings.NewReader(string(b))); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	// Every single-byte change either loads or fails cleanly; none panics.
	for i := len(formatMagic); i < len(good); i += 7 {
		b := append([]byte(nil), good...)
		b[i] ^= 0x5a
		if c, err := Load(strings.NewReader(string(b))); err == nil {
			c.Expand("*")
			for id := range c.NumActions() {
				_ = c.ActionByID(ActionID(id)).FullName()
			}
		}
	}
}

// TestLazyConcurrentFirstUse: goroutines that reach the same services,
// names, keys and template groups for the first time at once all get the
// same answers (run with -race: each lazy part is built exactly once).
func TestLazyConcurrentFirstUse(t *testing.T) {
	t.Parallel()
	c, err := decode(embedded, false)
	if err != nil {
		t.Fatal(err)
	}
	type answer struct {
		id       ActionID
		action   string
		expanded int
		types    int
		key      string
		actions  int
	}
	ask := func() answer {
		var a answer
		a.id, _ = c.ActionID("secretsmanager:GetSecretValue")
		if act, err := c.Action("s3:putobject"); err == nil {
			a.action = act.FullName()
		}
		if as, err := c.Expand("s3:Get*"); err == nil {
			a.expanded = len(as)
		}
		a.types = len(c.ResourceTypesForARN("arn:aws:s3:::synthcoreai-uploads/users/a.txt"))
		if k, ok := c.ConditionKey("aws:SourceIp"); ok {
			a.key = k.Name
		}
		s, _ := c.Service("ses")
		a.actions = len(s.Actions())
		return a
	}
	const n = 8
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { answers[i] = ask() })
	}
	wg.Wait()
	want := ask()
	if want.id < 0 || want.action != "s3:PutObject" || want.expanded == 0 || want.types != 1 || want.key == "" || want.actions == 0 {
		t.Fatalf("answers: %+v", want)
	}
	for i, a := range answers {
		if a != want {
			t.Errorf("goroutine %d: %+v, want %+v", i, a, want)
		}
	}
}

// TestNamesWithoutDecoding: ServiceOf and ActionFullName answer from the
// encoded data, and agree with the decoded actions.
func TestNamesWithoutDecoding(t *testing.T) {
	t.Parallel()
	lazy, err := decode(embedded, false)
	if err != nil {
		t.Fatal(err)
	}
	eager := Default()
	for id := ActionID(0); int(id) < lazy.NumActions(); id += 97 {
		want := eager.ActionByID(id)
		if got := lazy.ActionFullName(id); got != want.FullName() {
			t.Fatalf("ActionFullName(%d) = %q, want %q", id, got, want.FullName())
		}
		if s := lazy.ServiceOf(id); s == nil || s.Prefix != want.Service.Prefix {
			t.Fatalf("ServiceOf(%d) = %v, want %s", id, s, want.Service.Prefix)
		}
	}
	for si := range lazy.blocks {
		if lazy.blocks[si].decoded.Load() {
			t.Fatalf("service %s decoded", lazy.services[si].Prefix)
		}
	}
	if lazy.ActionFullName(-1) != "" || lazy.ServiceOf(ActionID(lazy.NumActions())) != nil {
		t.Error("out-of-range IDs answered")
	}
}
