package mcpserver

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/iamguard/iamguard/internal/service"
)

// connect serves svc to an in-memory client calling as caller.
func connect(t *testing.T, svc *service.Service, caller string) *mcp.ClientSession {
	t.Helper()
	return connectOpts(t, svc, Options{Caller: caller, Version: "test"})
}

func connectOpts(t *testing.T, svc *service.Service, opts Options) *mcp.ClientSession {
	t.Helper()
	ctx := context.Background()
	srv := New(svc, opts)
	st, ct := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "test"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// call calls a tool and decodes its structured result into out. It fails
// the test on a protocol error; it returns the tool error text, if any.
func call(t *testing.T, cs *mcp.ClientSession, name string, args any, out any) string {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: protocol error: %v", name, err)
	}
	if res.IsError {
		var b strings.Builder
		for _, c := range res.Content {
			if tc, ok := c.(*mcp.TextContent); ok {
				b.WriteString(tc.Text)
			}
		}
		return b.String()
	}
	if out != nil {
		data, err := json.Marshal(res.StructuredContent)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s: decoding %s: %v", name, data, err)
		}
	}
	return ""
}

func TestLintPolicyTool(t *testing.T) {
	t.Parallel()
	cs := connect(t, service.New(service.Options{}), "alice")
	var resp service.LintResponse
	msg := call(t, cs, "lint_policy", map[string]any{
		"name":   "SynthCoreAI-SES-SendOnly",
		"policy": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "ses:*", "Resource": "*"}}},
	}, &resp)
	if msg != "" {
		t.Fatal(msg)
	}
	t.Logf("%+v", resp)
}
