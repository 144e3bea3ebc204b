package gate

import (
	"encoding/json"
	"time"

	"github.com/iamguard/iamguard/finding"
	"github.com/iamguard/iamguard/internal/gate/apply"
)

// State is where a change is in the workflow.
type State string

const (
	StatePlanned   State = "planned"   // scanned and decided; may be applied if no approval is needed
	StateRequested State = "requested" // waiting for an approver
	StateApproved  State = "approved"  // approved; may be applied with the approval token
	StateRejected  State = "rejected"  // final
	StateCancelled State = "cancelled" // final
	StateApplying  State = "applying"  // an apply started; a retry with the same token may finish it
	StateApplied   State = "applied"   // final
)

// ScanStatus is the outcome of a change's scan.
type ScanStatus string

const (
	ScanPassed  ScanStatus = "passed"  // no finding at or above scan.failOn
	ScanFailed  ScanStatus = "failed"  // findings at or above scan.failOn: fix, or approve accepting them
	ScanSkipped ScanStatus = "skipped" // the rule needs no scan, or no scanner ran (then apply refuses when the rule needs one)
)

// ScanFinding is a finding with what the gate needs to accept it. Its
// Fingerprint is always set (see Fingerprint): an approval's accept list
// may name it.
type ScanFinding struct {
	finding.Finding
	// Blocking is set when the severity is at or above scan.failOn and the
	// finding is not suppressed: apply then needs an approval accepting it.
	Blocking bool `json:"blocking"`
}

// ScanResult is the recorded scan of one content.
type ScanResult struct {
	Status      ScanStatus    `json:"status"`
	Reason      string        `json:"reason,omitempty"`
	ContentHash string        `json:"contentHash,omitempty"`
	Scanner     string        `json:"scanner,omitempty"`
	FailOn      string        `json:"failOn,omitempty"`
	At          time.Time     `json:"at"`
	Findings    []ScanFinding `json:"findings"`
}

// blocking lists the findings apply needs accepted.
func (s ScanResult) blocking() []ScanFinding {
	var out []ScanFinding
	for _, f := range s.Findings {
		if f.Blocking {
			out = append(out, f)
		}
	}
	return out
}

// Event is who did something, when, and why.
type Event struct {
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

// Channel is how an approval reached the gate.
type Channel string

const (
	ChannelCLI  Channel = "cli"
	ChannelHTTP Channel = "http"
	// ChannelMCP approvals are allowed only to approvals.mcpApprovers.
	ChannelMCP Channel = "mcp"
)

// MFAAssertion is what the gate records of an approver's MFA: its kind and
// a fingerprint, never the code itself.
type MFAAssertion struct {
	// Kind is "totp" (6–8 digits) or "assertion" (an identity provider's
	// token or reference).
	Kind        string `json:"kind"`
	Fingerprint string `json:"fingerprint"`
}

// Approval is a recorded approval of one content.
type Approval struct {
	By          string        `json:"by"`
	At          time.Time     `json:"at"`
	ContentHash string        `json:"contentHash"`
	Channel     Channel       `json:"channel"`
	Accepted    []string      `json:"accepted,omitempty"` // fingerprints
	MFA         *MFAAssertion `json:"mfa,omitempty"`
	Comment     string        `json:"comment,omitempty"`
}

// Applied is a recorded apply.
type Applied struct {
	By     string        `json:"by"`
	At     time.Time     `json:"at"`
	DryRun bool          `json:"dryRun"`
	Result *apply.Result `json:"result,omitempty"`
	Error  string        `json:"error,omitempty"`
}

// Promotion says whether a production change carries its dev proof.
type Promotion struct {
	Required  bool   `json:"required"`
	Satisfied bool   `json:"satisfied"`
	Message   string `json:"message,omitempty"`
	// From is the non-production change that was applied with the same
	// promotion hash.
	From string `json:"from,omitempty"`
}

// Status is everything the gate knows about one change: what the store
// keeps for it.
type Status struct {
	ID            string          `json:"id"`
	State         State           `json:"state"`
	Environment   string          `json:"environment"`
	Production    bool            `json:"production"`
	Operation     Operation       `json:"operation"`
	ResourceType  string          `json:"resourceType"`
	Requester     string          `json:"requester"`
	ContentHash   string          `json:"contentHash"`
	PromotionHash string          `json:"promotionHash"`
	PromotedFrom  string          `json:"promotedFrom,omitempty"`
	PlanDate      string          `json:"planDate"` // the CreatedDate the tags got
	Content       json.RawMessage `json:"content"`  // canonical JSON of the change
	Cost          CostInfo        `json:"cost"`
	Rule          Decision        `json:"rule"`
	Tags          TagResult       `json:"tags"`
	Scan          ScanResult      `json:"scan"`
	Requested     *Event          `json:"requested,omitempty"`
	Approval      *Approval       `json:"approval,omitempty"`
	Rejection     *Event          `json:"rejection,omitempty"`
	Cancellation  *Event          `json:"cancellation,omitempty"`
	Applied       *Applied        `json:"applied,omitempty"`
	// LastDryRun is the latest dry-run apply, which changes no state.
	LastDryRun *Applied  `json:"lastDryRun,omitempty"`
	Created    time.Time `json:"created"`
	Updated    time.Time `json:"updated"`

	version int64
}

// ApprovalNeeded reports whether apply needs an approval: the rule says
// so, or the scan found blocking findings.
func (s *Status) ApprovalNeeded() bool { return s.Rule.Approval || len(s.Scan.blocking()) > 0 }
