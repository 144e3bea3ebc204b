package gate

import (
	"errors"
	"fmt"
)

// Refusal codes: why the gate said no. Each refusal is also written to the
// audit log.
const (
	RefusedTokenInvalid        = "TOKEN_INVALID"         // malformed, or not signed by this store
	RefusedTokenExpired        = "TOKEN_EXPIRED"         // past its expiry
	RefusedTokenWrongStep      = "TOKEN_WRONG_STEP"      // issued for another step
	RefusedTokenWrongContent   = "TOKEN_WRONG_CONTENT"   // bound to other content
	RefusedContentChanged      = "CONTENT_CHANGED"       // the content differs from what was planned/approved
	RefusedSelfApproval        = "SELF_APPROVAL"         // the requester approving their own change
	RefusedNotApprover         = "NOT_APPROVER"          // not in approvals.approvers (or mcpApprovers)
	RefusedMFARequired         = "MFA_REQUIRED"          // production approval without an MFA assertion
	RefusedScanMissing         = "SCAN_MISSING"          // the rule needs a scan and none was recorded for this content
	RefusedFindingsNotAccepted = "FINDINGS_NOT_ACCEPTED" // failing findings the approval does not accept
	RefusedAcceptUnmatched     = "ACCEPT_UNMATCHED"      // --accept names no finding of this change
	RefusedApprovalRequired    = "APPROVAL_REQUIRED"     // apply without the approval the rule needs
	RefusedPromotionRequired   = "PROMOTION_REQUIRED"    // production change not applied in a non-production environment first
	RefusedWrongState          = "WRONG_STATE"           // e.g. approving a rejected, cancelled or applied change
	RefusedNotAllowed          = "NOT_ALLOWED"           // cancel by someone who is neither requester nor approver
)

// ErrRefused matches every *Refusal with errors.Is.
var ErrRefused = errors.New("refused by the change gate")

// Refusal is the gate saying no, with a stable code and the reason.
type Refusal struct {
	Code     string `json:"code"`
	Step     Step   `json:"step"`
	ChangeID string `json:"changeId,omitempty"`
	Message  string `json:"message"`
}

func (r *Refusal) Error() string {
	id := ""
	if r.ChangeID != "" {
		id = " " + r.ChangeID
	}
	return fmt.Sprintf("%s%s refused (%s): %s", r.Step, id, r.Code, r.Message)
}

// Is makes errors.Is(err, ErrRefused) true.
func (r *Refusal) Is(target error) bool { return target == ErrRefused }
