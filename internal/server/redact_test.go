package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/internal/service"
)

// TestChangeSecretsRedacted: a secret written into a change is found by the
// plan's scan, and no response (plan, status, dry-run apply) echoes it in
// full, even after an approver accepted the finding.
func TestChangeSecretsRedacted(t *testing.T) {
	t.Parallel()
	srv := newAPI(t, service.Options{})
	// Built at run time so that this file holds no secret-shaped literal.
	key := "SG." + "_kv5ZJr3J1TWDtkwtDDb-x" + "." + "HKas1VOqg6YYZYn9ZhyiA4uoRgnatmUdjAWtGSU8po-"
	change := `{
  "environment": "dev",
  "operation": "create",
  "resourceType": "AWS::SQS::Queue",
  "monthlyCost": 1,
  "properties": {
    "QueueName": "synthcoreai-mail",
    "Tags": [
      {"Key": "Project", "Value": "SynthCore"},
      {"Key": "CostCenter", "Value": "Engineering"},
      {"Key": "Notes", "Value": "` + key + `"}
    ]
  }
}`
	leaks := func(t *testing.T, what string, v any) {
		t.Helper()
		b, _ := json.Marshal(v)
		if strings.Contains(string(b), key[3:25]) || strings.Contains(string(b), key[26:]) {
			t.Fatalf("%s echoes the secret: %s", what, b)
		}
	}
	var plan map[string]any
	status, e, _ := do(t, srv, "POST", "/v1/changes/plan", aliceToken, map[string]any{"change": change}, &plan)
	if status != http.StatusCreated {
		t.Fatalf("%d %+v", status, e)
	}
	if !strings.Contains(jsonText(plan["findings"]), `"code":"SENDGRID_API_KEY"`) {
		t.Fatalf("the scan missed the key: %s", jsonText(plan["findings"]))
	}
	leaks(t, "plan", plan)
	id, token := plan["changeId"].(string), plan["token"].(string)

	var got map[string]any
	do(t, srv, "GET", "/v1/changes/"+id, bobToken, nil, &got)
	leaks(t, "status", got)

	// The key blocks the change; an approver may still accept it.
	if status, e, _ := do(t, srv, "POST", "/v1/changes/"+id+"/request-approval", aliceToken, map[string]any{"token": token}, nil); status != 200 {
		t.Fatalf("request: %d %+v", status, e)
	}
	var approved service.StepResponse
	if status, e, _ := do(t, srv, "POST", "/v1/changes/"+id+"/approve", bobToken, map[string]any{"accept": []string{"SENDGRID_API_KEY"}}, &approved); status != 200 {
		t.Fatalf("approve: %d %+v", status, e)
	}
	var applied map[string]any
	if status, e, _ := do(t, srv, "POST", "/v1/changes/"+id+"/apply", aliceToken, map[string]any{"token": approved.Token, "change": change}, &applied); status != 200 {
		t.Fatalf("apply: %d %+v", status, e)
	}
	if len(applied["documents"].([]any)) == 0 {
		t.Fatalf("no documents: %v", applied)
	}
	leaks(t, "apply", applied)
	do(t, srv, "GET", "/v1/changes/"+id, bobToken, nil, &got)
	leaks(t, "status after apply", got)
}
