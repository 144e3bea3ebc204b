package apply

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// fakeAWS answers IAM and STS (the query protocol: form-encoded POST,
// XML responses) and Cloud Control (JSON 1.0 with X-Amz-Target:
// CloudApiService.<Operation>) the way AWS does, and records every call.
// The response shapes follow the AWS API references' examples.
type fakeAWS struct {
	t       *testing.T
	account string

	mu    sync.Mutex
	calls []fakeCall
	// polls counts GetResourceRequestStatus calls; the request succeeds
	// (or fails, with failWith) on the second.
	polls    int
	failWith string
	// iamError, when set, is the error code CreatePolicy answers.
	iamError string
}

type fakeCall struct {
	API    string
	Params map[string]string // query form fields, or the JSON body's top level
	Auth   string
}

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDIAMGUARDTEST/") {
		http.Error(w, "unsigned request", http.StatusForbidden)
		return
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		f.cloudControl(w, r, strings.TrimPrefix(target, "CloudApiService."), body, auth)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		http.Error(w, "not a query-protocol request", http.StatusBadRequest)
		return
	}
	params := map[string]string{}
	for k, v := range form {
		params[k] = v[0]
	}
	action := params["Action"]
	f.record(fakeCall{API: action, Params: params, Auth: auth})
	w.Header().Set("Content-Type", "text/xml")
	const iamNS, stsNS = "https://iam.amazonaws.com/doc/2010-05-08/", "https://sts.amazonaws.com/doc/2011-06-15/"
	switch action {
	case "GetCallerIdentity":
		fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="%s">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::%s:user/deployer</Arn>
    <UserId>AIDACKCEVSQ6C2EXAMPLE</UserId>
    <Account>%s</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`, stsNS, f.account, f.account)
	case "CreatePolicy":
		if f.iamError != "" {
			w.WriteHeader(http.StatusConflict)
			fmt.Fprintf(w, `<ErrorResponse xmlns="%s">
  <Error><Type>Sender</Type><Code>%s</Code><Message>A policy called %s already exists. Duplicate names are not allowed.</Message></Error>
  <RequestId>4c2e3a1f-0000-0000-0000-000000000000</RequestId>
</ErrorResponse>`, iamNS, f.iamError, params["PolicyName"])
			return
		}
		path := params["Path"]
		if path == "" {
			path = "/"
		}
		fmt.Fprintf(w, `<CreatePolicyResponse xmlns="%s">
  <CreatePolicyResult>
    <Policy>
      <PolicyName>%s</PolicyName>
      <DefaultVersionId>v1</DefaultVersionId>
      <PolicyId>ANPACKCEVSQ6C2EXAMPLE</PolicyId>
      <Path>%s</Path>
      <Arn>arn:aws:iam::%s:policy%s%s</Arn>
      <AttachmentCount>0</AttachmentCount>
      <CreateDate>2025-11-02T09:30:00Z</CreateDate>
      <IsAttachable>true</IsAttachable>
      <UpdateDate>2025-11-02T09:30:00Z</UpdateDate>
    </Policy>
  </CreatePolicyResult>
  <ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata>
</CreatePolicyResponse>`, iamNS, params["PolicyName"], path, f.account, path, params["PolicyName"])
	case "CreateRole":
		fmt.Fprintf(w, `<CreateRoleResponse xmlns="%s">
  <CreateRoleResult>
    <Role>
      <Path>/</Path>
      <AssumeRolePolicyDocument>%s</AssumeRolePolicyDocument>
      <RoleId>AROADBQP57FF2AEXAMPLE</RoleId>
      <RoleName>%s</RoleName>
      <Arn>arn:aws:iam::%s:role/%s</Arn>
      <CreateDate>2025-11-02T09:30:00Z</CreateDate>
    </Role>
  </CreateRoleResult>
  <ResponseMetadata><RequestId>4a93ceee-9966-11e1-b624-b1aEXAMPLE7c</RequestId></ResponseMetadata>
</CreateRoleResponse>`, iamNS, url.QueryEscape(params["AssumeRolePolicyDocument"]), params["RoleName"], f.account, params["RoleName"])
	case "AttachRolePolicy", "AttachUserPolicy", "AttachGroupPolicy", "PutRolePolicy", "PutUserPolicy", "PutGroupPolicy":
		fmt.Fprintf(w, `<%sResponse xmlns="%s">
  <ResponseMetadata><RequestId>37a87673-3e07-11e4-9d0c-3b8fEXAMPLE</RequestId></ResponseMetadata>
</%sResponse>`, action, iamNS, action)
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>Could not find operation %s</Message></Error><RequestId>x</RequestId></ErrorResponse>`, iamNS, action)
	}
}

func (f *fakeAWS) record(c fakeCall) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
}

func (f *fakeAWS) cloudControl(w http.ResponseWriter, r *http.Request, op string, body []byte, auth string) {
	if r.Header.Get("Content-Type") != "application/x-amz-json-1.0" {
		http.Error(w, "not JSON 1.0", http.StatusBadRequest)
		return
	}
	var in map[string]any
	if err := json.Unmarshal(body, &in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	params := map[string]string{}
	for k, v := range in {
		params[k] = fmt.Sprint(v)
	}
	f.record(fakeCall{API: "cloudcontrol:" + op, Params: params, Auth: auth})
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	event := func(operation, status, id string) map[string]any {
		return map[string]any{
			"TypeName": params["TypeName"], "Identifier": id, "RequestToken": "5f40c577-3534-4b20-9599-0b0123456789",
			"Operation": operation, "OperationStatus": status, "EventTime": float64(time.Date(2025, 11, 2, 9, 30, 0, 0, time.UTC).Unix()),
		}
	}
	var out map[string]any
	switch op {
	case "CreateResource":
		out = map[string]any{"ProgressEvent": event("CREATE", "IN_PROGRESS", "")}
	case "UpdateResource":
		out = map[string]any{"ProgressEvent": event("UPDATE", "IN_PROGRESS", params["Identifier"])}
	case "DeleteResource":
		out = map[string]any{"ProgressEvent": event("DELETE", "IN_PROGRESS", params["Identifier"])}
	case "GetResourceRequestStatus":
		f.mu.Lock()
		f.polls++
		n := f.polls
		f.mu.Unlock()
		ev := event("CREATE", "IN_PROGRESS", "")
		if n >= 2 {
			ev = event("CREATE", "SUCCESS", "https://sqs.us-east-1.amazonaws.com/"+f.account+"/synthcoreai-jobs")
			if f.failWith != "" {
				ev["OperationStatus"], ev["ErrorCode"], ev["StatusMessage"] = "FAILED", f.failWith, "Resource of type 'AWS::SQS::Queue' with identifier 'synthcoreai-jobs' already exists."
			}
		}
		out = map[string]any{"ProgressEvent": ev}
	case "GetResource":
		out = map[string]any{"TypeName": params["TypeName"], "ResourceDescription": map[string]any{"Identifier": params["Identifier"], "Properties": `{"RoleName":"engify-lambda"}`}}
	default:
		w.Header().Set("X-Amzn-Errortype", "UnknownOperationException")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"__type": "UnknownOperationException", "message": op})
		return
	}
	json.NewEncoder(w).Encode(out)
}

func (f *fakeAWS) apis() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var s []string
	for _, c := range f.calls {
		s = append(s, c.API)
	}
	return strings.Join(s, " ")
}

func (f *fakeAWS) call(api string) fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.calls {
		if c.API == api {
			return c
		}
	}
	f.t.Fatalf("no %s call among %v", api, f.calls)
	return fakeCall{}
}

// newAWS points an AWS applier at a fake, with static credentials and a
// shared config file that defines the environments' profiles.
func newAWS(t *testing.T, account string) (*AWS, *fakeAWS) {
	t.Helper()
	fake := &fakeAWS{t: t, account: account}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "config")
	os.WriteFile(cfgFile, []byte("[profile aws-dev]\nregion = us-east-1\n[profile aws-prod]\nregion = us-east-1\n"), 0o600)
	credFile := filepath.Join(dir, "credentials")
	os.WriteFile(credFile, nil, 0o600)
	a := &AWS{
		BaseEndpoint: srv.URL,
		PollInterval: time.Millisecond,
		MaxWait:      5 * time.Second,
		LoadOptions: []func(*awsconfig.LoadOptions) error{
			awsconfig.WithSharedConfigFiles([]string{cfgFile}),
			awsconfig.WithSharedCredentialsFiles([]string{credFile}),
			awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDIAMGUARDTEST", "not-a-real-secret", "")),
		},
	}
	return a, fake
}

func caseNamed(t *testing.T, name string) Request {
	for _, c := range dryRunCases(t) {
		if c.name == name {
			return c.req
		}
	}
	t.Fatalf("no case %s", name)
	return Request{}
}

func TestAWSApplierIAM(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		calls string
		check func(t *testing.T, f *fakeAWS, res *Result)
	}{
		{"managed-policy", "GetCallerIdentity CreatePolicy AttachRolePolicy AttachUserPolicy", func(t *testing.T, f *fakeAWS, res *Result) {
			cp := f.call("CreatePolicy")
			if cp.Params["PolicyName"] != "SynthCoreAI-S3-FileUpload" || cp.Params["Path"] != "/synthcore/" || cp.Params["Version"] != "2010-05-08" {
				t.Errorf("CreatePolicy params %v", cp.Params)
			}
			if cp.Params["PolicyDocument"] != fileUploadPolicySorted {
				t.Errorf("policy document sent as %s", cp.Params["PolicyDocument"])
			}
			if cp.Params["Tags.member.1.Key"] != "CostCenter" || cp.Params["Tags.member.2.Value"] != "development" {
				t.Errorf("tags %v", cp.Params)
			}
			if !strings.Contains(cp.Auth, "/us-east-1/iam/aws4_request") {
				t.Errorf("IAM request signed as %s", cp.Auth)
			}
			arn := "arn:aws:iam::111111111111:policy/synthcore/SynthCoreAI-S3-FileUpload"
			if at := f.call("AttachRolePolicy"); at.Params["RoleName"] != "synthcoreai-app" || at.Params["PolicyArn"] != arn {
				t.Errorf("AttachRolePolicy %v", at.Params)
			}
			if res.Identifier != arn {
				t.Errorf("identifier %s", res.Identifier)
			}
		}},
		{"role", "GetCallerIdentity CreateRole PutRolePolicy AttachRolePolicy", func(t *testing.T, f *fakeAWS, res *Result) {
			cr := f.call("CreateRole")
			if cr.Params["RoleName"] != "engify-lambda" || cr.Params["MaxSessionDuration"] != "3600" || !strings.Contains(cr.Params["AssumeRolePolicyDocument"], "lambda.amazonaws.com") {
				t.Errorf("CreateRole %v", cr.Params)
			}
			if pr := f.call("PutRolePolicy"); pr.Params["PolicyName"] != "Engify-Lambda-Execution" || !strings.Contains(pr.Params["PolicyDocument"], "logs:PutLogEvents") {
				t.Errorf("PutRolePolicy %v", pr.Params)
			}
		}},
		{"inline-policy", "GetCallerIdentity PutRolePolicy PutGroupPolicy", nil},
		{"role-policy", "GetCallerIdentity PutRolePolicy", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, fake := newAWS(t, "111111111111")
			res, err := a.Apply(context.Background(), caseNamed(t, tc.name))
			if err != nil {
				t.Fatal(err)
			}
			if got := fake.apis(); got != tc.calls {
				t.Fatalf("calls %s, want %s", got, tc.calls)
			}
			if res.DryRun || len(res.Calls) != len(strings.Fields(tc.calls)) {
				t.Errorf("result %+v", res)
			}
			if tc.check != nil {
				tc.check(t, fake, res)
			}
		})
	}
}

// fileUploadPolicySorted is fileUploadPolicy as sent: keys sorted.
const fileUploadPolicySorted = `{"Statement":[{"Action":["s3:PutObject","s3:GetObject"],"Effect":"Allow","Resource":"arn:aws:s3:::synthcoreai-*/*"}],"Version":"2012-10-17"}`

func TestAWSApplierCloudControl(t *testing.T) {
	t.Parallel()
	t.Run("create and poll", func(t *testing.T) {
		t.Parallel()
		a, fake := newAWS(t, "111111111111")
		res, err := a.Apply(context.Background(), caseNamed(t, "cloudcontrol-create"))
		if err != nil {
			t.Fatal(err)
		}
		if got := fake.apis(); got != "GetCallerIdentity cloudcontrol:CreateResource cloudcontrol:GetResourceRequestStatus cloudcontrol:GetResourceRequestStatus" {
			t.Fatalf("calls %s", got)
		}
		cr := fake.call("cloudcontrol:CreateResource")
		if cr.Params["TypeName"] != "AWS::SQS::Queue" || cr.Params["ClientToken"] != "iamguard-chg-0123456789ab-5e5e5e5e5e5e5e5e" ||
			cr.Params["DesiredState"] != `{"QueueName":"synthcoreai-jobs","Tags":[{"Key":"Environment","Value":"development"}],"VisibilityTimeout":60}` {
			t.Errorf("CreateResource %v", cr.Params)
		}
		if !strings.Contains(cr.Auth, "/us-east-1/cloudcontrolapi/aws4_request") {
			t.Errorf("Cloud Control request signed as %s", cr.Auth)
		}
		if res.Status != "SUCCESS" || res.Identifier != "https://sqs.us-east-1.amazonaws.com/111111111111/synthcoreai-jobs" {
			t.Errorf("result %+v", res)
		}
	})
	t.Run("update sends a JSON patch", func(t *testing.T) {
		t.Parallel()
		a, fake := newAWS(t, "111111111111")
		if _, err := a.Apply(context.Background(), caseNamed(t, "cloudcontrol-update")); err != nil {
			t.Fatal(err)
		}
		up := fake.call("cloudcontrol:UpdateResource")
		if up.Params["PatchDocument"] != `[{"op":"add","path":"/VisibilityTimeout","value":120},{"op":"add","path":"/Weird~1Key~0","value":"x"}]` {
			t.Errorf("patch %s", up.Params["PatchDocument"])
		}
	})
	t.Run("delete", func(t *testing.T) {
		t.Parallel()
		a, fake := newAWS(t, "111111111111")
		if _, err := a.Apply(context.Background(), caseNamed(t, "cloudcontrol-delete")); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(fake.apis(), "GetCallerIdentity cloudcontrol:DeleteResource cloudcontrol:GetResourceRequestStatus") {
			t.Errorf("calls %s", fake.apis())
		}
	})
	t.Run("read", func(t *testing.T) {
		t.Parallel()
		a, fake := newAWS(t, "111111111111")
		res, err := a.Apply(context.Background(), caseNamed(t, "cloudcontrol-read"))
		if err != nil || fake.apis() != "GetCallerIdentity cloudcontrol:GetResource" || res.Identifier != "engify-lambda" {
			t.Fatalf("%v %s %+v", err, fake.apis(), res)
		}
	})
	t.Run("request fails", func(t *testing.T) {
		t.Parallel()
		a, fake := newAWS(t, "111111111111")
		fake.failWith = "AlreadyExists"
		_, err := a.Apply(context.Background(), caseNamed(t, "cloudcontrol-create"))
		if err == nil || !strings.Contains(err.Error(), "AlreadyExists") || !strings.Contains(err.Error(), "FAILED") {
			t.Fatalf("got %v", err)
		}
	})
}

func TestAWSApplierRefusesOtherAccount(t *testing.T) {
	t.Parallel()
	a, fake := newAWS(t, "999999999999")
	_, err := a.Apply(context.Background(), caseNamed(t, "managed-policy"))
	if err == nil || !strings.Contains(err.Error(), "account 999999999999, but environment dev is account 111111111111") {
		t.Fatalf("got %v", err)
	}
	if got := fake.apis(); got != "GetCallerIdentity" {
		t.Errorf("calls after the account mismatch: %s", got)
	}
}

func TestAWSApplierReportsIAMErrors(t *testing.T) {
	t.Parallel()
	a, fake := newAWS(t, "111111111111")
	fake.iamError = "EntityAlreadyExists"
	res, err := a.Apply(context.Background(), caseNamed(t, "managed-policy"))
	if err == nil || !strings.Contains(err.Error(), "EntityAlreadyExists") || !strings.Contains(err.Error(), "iam:CreatePolicy") {
		t.Fatalf("got %v", err)
	}
	if fake.apis() != "GetCallerIdentity CreatePolicy" || len(res.Calls) != 2 {
		t.Errorf("calls after the failure: %s", fake.apis())
	}
}

// TestDryRunLinesAreShell checks every dry-run script parses as POSIX sh.
func TestDryRunLinesAreShell(t *testing.T) {
	t.Parallel()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for _, tc := range dryRunCases(t) {
		res, err := DryRun{}.Apply(context.Background(), tc.req)
		if err != nil {
			t.Fatal(err)
		}
		var script strings.Builder
		for _, c := range res.Calls {
			script.WriteString(c.CLI + "\n")
		}
		if out, err := exec.Command(sh, "-n", "-c", script.String()).CombinedOutput(); err != nil {
			t.Errorf("%s: not valid sh: %v %s\n%s", tc.name, err, out, script.String())
		}
	}
}
