package mcpserver

import (
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/iamguard/iamguard/internal/service"
)

func addGateTools(s *mcp.Server, caller *callers, svc *service.Service, readOnly func(string) *mcp.ToolAnnotations) {
	// The gate tools record every step in the audit log, so none is
	// read-only; none is idempotent (each step issues a new token); only a
	// writing apply reaches outside (AWS) or destroys anything.
	records := func(title string) *mcp.ToolAnnotations {
		return &mcp.ToolAnnotations{Title: title, DestructiveHint: ptr(false), OpenWorldHint: ptr(false)}
	}
	tool(s, &mcp.Tool{
		Name:        "plan_change",
		Annotations: records("Plan an AWS change (scan, price, rules)"),
		Description: `First step of every change to AWS (creating, updating, reading or deleting a resource, an IAM policy included): the gate reads the change, injects the required tags (MANAGED_BY, Environment, CreatedBy, CreatedDate…), prices it (or takes monthlyCost), picks the organisation's approval rule (e.g. creating a resource of $10/month or more needs an approval), scans it (encryption, tags, exposure, IAM policy lint, hardcoded secrets) and records it.

The change is {environment, operation, resourceType, identifier?, properties, monthlyCost?, description?}; properties are the CloudFormation properties (Cloud Control's desired state). Example: {"environment": "dev", "operation": "create", "resourceType": "AWS::S3::Bucket", "monthlyCost": 12, "properties": {"BucketName": "synthcoreai-uploads", "Tags": [{"Key": "Project", "Value": "SynthCore"}, {"Key": "CostCenter", "Value": "Engineering"}]}}. You are the requester: leave requester out.

Returns changeId, scanStatus (passed or failed), findings (each with a fix, a path into the change, and blocking), approvalRequired, the rule, the tags added, contentHash and token. Next: if scanStatus is failed, fix the change and plan again (never skip the scan: apply refuses without this token); if approvalRequired, request_approval with the token; else apply_change with the token and the same change.`,
	}, caller, svc.PlanChange)

	tool(s, &mcp.Tool{
		Name:        "request_approval",
		Annotations: records("Request approval of a planned change"),
		Description: `Ask the organisation's approvers to approve a planned change that needs it (plan_change said approvalRequired). Takes the plan token; the change moves to "requested".

Call it right after plan_change when approvalRequired is true, with a note saying why the change is needed. Then tell the user who must approve: a human approver who is not the requester (over MCP only those named in approvals.mcpApprovers). Do not try to approve it yourself. Returns the change's state and a request token (for the record; apply takes the approval token).`,
	}, caller, svc.RequestApproval)

	tool(s, &mcp.Tool{
		Name:        "approve_change",
		Annotations: &mcp.ToolAnnotations{Title: "Approve a change (approvers only)", DestructiveHint: ptr(false), OpenWorldHint: ptr(false)},
		Description: `Record the caller's approval of a requested change's exact content and issue the approval token apply_change takes. Only for a human approver acting through their own assistant session: it is refused for the change's requester, for anyone not in approvals.approvers, and over MCP for anyone not in approvals.mcpApprovers (when that list is empty, approval over MCP is disabled and must be done from the command line). Production approvals may need an MFA code.

Call it only when the approver asks you to approve a change they reviewed: read it with get_change first, and pass its contentHash so the approval is bound to what was reviewed; accept lists the blocking findings the approver accepts (fingerprint or CODE@PATH). Returns the approval token; give it to whoever applies.`,
	}, caller, svc.ApproveChange)

	tool(s, &mcp.Tool{
		Name:        "reject_change",
		Annotations: records("Reject a change (approvers only)"),
		Description: `Reject a requested change with a reason; it can never be applied. The same people who may approve may reject (never the requester; over MCP only approvals.mcpApprovers). The requester fixes the change and plans it anew.`,
	}, caller, svc.RejectChange)

	apply := &mcp.ToolAnnotations{Title: "Apply a change (dry run unless the server allows writes)", DestructiveHint: ptr(false), OpenWorldHint: ptr(false)}
	if svc.AllowWrite() {
		apply.DestructiveHint, apply.OpenWorldHint = ptr(true), ptr(true)
	}
	tool(s, &mcp.Tool{
		Name:        "apply_change",
		Annotations: apply,
		Description: `Last step: carry out a planned change. The gate refuses unless the token is valid and unexpired, issued by this gate for this change, and for exactly this content (send the change document as planned: any edit after planning or approval is refused); the scan ran on this content; and, when the plan needed an approval, the approval token (not the plan token) of an approval of this content.

Without write (or on a server started without --allow-write) it is a dry run: nothing changes, and the result lists the exact AWS API calls and CLI lines (and the documents they read). Call it with the plan token when no approval was needed, else with the approval token from approve_change. Returns the calls, state and, for a real apply, the resource's identifier.`,
	}, caller, svc.ApplyChange)

	tool(s, &mcp.Tool{
		Name:        "get_change",
		Annotations: readOnly("Read a change's status"),
		Description: `Read everything the gate holds about a change: state (planned, requested, approved, rejected, cancelled, applied), the canonical content and its contentHash, cost, rule, tags, scan findings, request, approval, rejection and apply. Call it to show an approver what they are approving, or to follow a change.`,
	}, caller, svc.GetChange)
}
