// Package fromlogs reads CloudTrail events: trail log files
// ({"Records": [...]}, gzipped or not) and the output of
// `aws cloudtrail lookup-events` ({"Events": [{"CloudTrailEvent": "<json>"}]}).
// Each event becomes who (the principal, assumed-role sessions grouped by
// their role), what (eventSource and eventName), on which resources
// (resources[] and requestParameters), and whether AWS refused it.
package fromlogs

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/iamguard/iamguard/internal/generate/sdkmap"
)

// Event is one CloudTrail event, reduced to what policy generation needs.
type Event struct {
	File string
	// Index is the event's position in its file (Records[i] or Events[i]).
	Index int
	// Principal groups events by identity: an IAM user's ARN, or the role
	// ARN behind an assumed-role session.
	Principal     string
	PrincipalType string
	Source        string // eventSource, e.g. "s3.amazonaws.com"
	Name          string // eventName, e.g. "PutObject"
	Region        string
	Account       string // the account the call went to
	// Fields are requestParameters' string values (top level, plus one
	// level of nesting flattened by key).
	Fields    sdkmap.Fields
	Resources []string // resources[].ARN
	ErrorCode string
	Time      string
}

// Denied reports whether AWS refused the call for lack of permission.
func (e *Event) Denied() bool {
	switch e.ErrorCode {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Client.UnauthorizedOperation", "UnauthorizedAccess", "AuthorizationError", "AuthorizationErrorException", "Forbidden":
		return true
	}
	return strings.HasSuffix(e.ErrorCode, "AccessDenied") || strings.HasSuffix(e.ErrorCode, "AccessDeniedException")
}

// SyntaxError is input that is not a CloudTrail file, with its position.
type SyntaxError struct {
	File         string
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// maxDecompressed bounds a gzipped file's expanded size (a trail file is
// a few MB; a decompression bomb is not read whole).
const maxDecompressed = 1 << 30

// Parse reads one file's events. Gzip is detected by its magic bytes.
func Parse(file string, data []byte) ([]Event, error) {
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, &SyntaxError{File: file, Line: 1, Column: 1, Msg: "bad gzip data: " + err.Error()}
		}
		plain, err := io.ReadAll(io.LimitReader(zr, maxDecompressed+1))
		if err != nil {
			return nil, &SyntaxError{File: file, Line: 1, Column: 1, Msg: "bad gzip data: " + err.Error()}
		}
		if len(plain) > maxDecompressed {
			return nil, &SyntaxError{File: file, Line: 1, Column: 1, Msg: "gzip data expands beyond 1 GiB"}
		}
		data = plain
	}
	var top struct {
		Records []json.RawMessage `json:"Records"`
		Events  []struct {
			CloudTrailEvent string `json:"CloudTrailEvent"`
		} `json:"Events"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, jsonError(file, data, err)
	}
	if top.Records == nil && top.Events == nil {
		return nil, &SyntaxError{File: file, Line: 1, Column: 1, Msg: `not a CloudTrail file: want {"Records": [...]} (a trail log file) or {"Events": [...]} (aws cloudtrail lookup-events)`}
	}
	var out []Event
	for i, raw := range top.Records {
		ev, err := decodeEvent(raw)
		if err != nil {
			line, col := position(data, recordOffset(data, i))
			return nil, &SyntaxError{File: file, Line: line, Column: col, Msg: fmt.Sprintf("Records[%d]: %v", i, err)}
		}
		ev.File, ev.Index = file, i
		out = append(out, ev)
	}
	for i, e := range top.Events {
		if e.CloudTrailEvent == "" {
			continue
		}
		ev, err := decodeEvent([]byte(e.CloudTrailEvent))
		if err != nil {
			line, col := position(data, elementOffset(data, "Events", i))
			return nil, &SyntaxError{File: file, Line: line, Column: col, Msg: fmt.Sprintf("Events[%d].CloudTrailEvent: %v", i, err)}
		}
		ev.File, ev.Index = file, i
		out = append(out, ev)
	}
	return out, nil
}

func jsonError(file string, data []byte, err error) error {
	off := -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = int(se.Offset) - 1 // Offset counts the offending byte as read
	case errors.As(err, &te):
		off = int(te.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		off = len(data)
	}
	line, col := position(data, off)
	return &SyntaxError{File: file, Line: line, Column: col, Msg: "not valid CloudTrail JSON: " + err.Error()}
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, off int) (int, int) {
	if off <= 0 {
		return 1, 1
	}
	if off > len(data) {
		off = len(data)
	}
	return 1 + bytes.Count(data[:off], []byte("\n")), off - bytes.LastIndexByte(data[:off], '\n')
}

func recordOffset(data []byte, i int) int { return elementOffset(data, "Records", i) }

// elementOffset finds where element i of the top-level array key starts,
// for error positions (the data is already known to be valid JSON).
func elementOffset(data []byte, key string, i int) int {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return 0
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return 0
		}
		if k, _ := t.(string); k != key {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return 0
			}
			continue
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			return 0
		}
		for n := 0; dec.More(); n++ {
			off := int(dec.InputOffset())
			if n == i {
				// InputOffset is just past the previous element (or '['):
				// step over the separator and spaces to the element.
				for off < len(data) && (data[off] == ',' || data[off] == ' ' || data[off] == '\n' || data[off] == '\t' || data[off] == '\r' || data[off] == '[') {
					off++
				}
				return off
			}
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return 0
			}
		}
		return 0
	}
	return 0
}

type rawEvent struct {
	EventSource  string `json:"eventSource"`
	EventName    string `json:"eventName"`
	AWSRegion    string `json:"awsRegion"`
	EventTime    string `json:"eventTime"`
	ErrorCode    string `json:"errorCode"`
	RecipientAcc string `json:"recipientAccountId"`
	UserIdentity struct {
		Type           string `json:"type"`
		ARN            string `json:"arn"`
		AccountID      string `json:"accountId"`
		InvokedBy      string `json:"invokedBy"`
		SessionContext struct {
			SessionIssuer struct {
				Type string `json:"type"`
				ARN  string `json:"arn"`
			} `json:"sessionIssuer"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
	RequestParameters map[string]any `json:"requestParameters"`
	Resources         []struct {
		ARN string `json:"ARN"`
	} `json:"resources"`
}

func decodeEvent(raw []byte) (Event, error) {
	var r rawEvent
	if err := json.Unmarshal(raw, &r); err != nil {
		return Event{}, err
	}
	ev := Event{
		PrincipalType: r.UserIdentity.Type,
		Source:        r.EventSource,
		Name:          r.EventName,
		Region:        r.AWSRegion,
		Account:       r.RecipientAcc,
		ErrorCode:     r.ErrorCode,
		Time:          r.EventTime,
		Fields:        sdkmap.Fields{},
	}
	if ev.Account == "" {
		ev.Account = r.UserIdentity.AccountID
	}
	ev.Principal = principal(r.UserIdentity.Type, r.UserIdentity.ARN, r.UserIdentity.SessionContext.SessionIssuer.ARN)
	for k, v := range r.RequestParameters {
		switch v := v.(type) {
		case string:
			ev.Fields[k] = v
		case []any:
			if len(v) > 0 {
				if s, ok := v[0].(string); ok {
					ev.Fields[k] = s
				}
			}
		case map[string]any:
			for k2, v2 := range v {
				if s, ok := v2.(string); ok {
					if _, exists := ev.Fields[k2]; !exists {
						ev.Fields[k2] = s
					}
				}
			}
		}
	}
	for _, res := range r.Resources {
		if res.ARN != "" {
			ev.Resources = append(ev.Resources, res.ARN)
		}
	}
	return ev, nil
}

// principal is the identity a policy is generated for: the role behind an
// assumed-role session (every session of a role shares its policies), else
// the identity's own ARN. AWS services acting on their own get "".
func principal(typ, arn, issuer string) string {
	switch typ {
	case "AWSService", "AWSAccount":
		return ""
	case "AssumedRole":
		if issuer != "" {
			return issuer
		}
		// arn:aws:sts::123456789012:assumed-role/Role/session
		if f := strings.SplitN(arn, ":", 6); len(f) == 6 && strings.HasPrefix(f[5], "assumed-role/") {
			parts := strings.Split(f[5], "/")
			if len(parts) >= 2 {
				return "arn:" + f[1] + ":iam::" + f[4] + ":role/" + parts[1]
			}
		}
	}
	return arn
}

// RoleName is the role's name when the principal is a role ARN.
func RoleName(principal string) string {
	if i := strings.Index(principal, ":role/"); i >= 0 {
		name := principal[i+len(":role/"):]
		return name[strings.LastIndexByte(name, '/')+1:]
	}
	return ""
}
