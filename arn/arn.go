// Package arn parses Amazon Resource Names and matches IAM wildcard patterns
// against ARNs and action names.
//
// # ARN syntax
//
// An ARN is "arn:partition:service:region:account-id:resource". The first
// five segments never contain ':'; the resource segment is everything after
// the fifth ':' and may itself contain ':' and '/' (for example
// "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:log-stream:y").
// Region and account may be empty ("arn:aws:s3:::bucket/key"); partition,
// service and resource may not.
//
// # Wildcard matching, as the IAM User Guide describes it
//
// Our reading of "IAM JSON policy elements: Resource" and "IAM JSON policy
// elements: Action":
//
//   - '*' matches any run of characters, including an empty one, and is not
//     confined to one ARN segment: "arn:aws:logs:*:*:*" matches a log-stream
//     ARN whose resource part holds further ':' separators, and
//     "arn:aws:s3:::bucket/*" matches every key, '/' included.
//   - '?' matches exactly one character.
//   - Resource matching is case-sensitive (ARNs are case-sensitive); action
//     matching is case-insensitive ("s3:get*" covers "s3:GetObject").
//   - There is no escape syntax: '*' and '?' are always wildcards. Policy
//     variables such as ${aws:username} are substituted before matching, by
//     the evaluator, not here.
//
// A compiled Pattern keeps its literal prefix and suffix so that most
// non-matching values are rejected with one comparison, and Match allocates
// nothing.
package arn

import (
	"fmt"
	"strings"
)

// ARN is a parsed Amazon Resource Name.
type ARN struct {
	Partition string // "aws", "aws-cn", "aws-us-gov", ...
	Service   string // "s3", "secretsmanager", ...
	Region    string // may be empty for global resources
	Account   string // may be empty (S3 buckets) or "aws" (AWS managed policies)
	Resource  string // everything after the fifth ':'
}

// String renders the ARN back to its text form.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// ParseError says what is wrong with an ARN and at which byte offset.
type ParseError struct {
	Input  string
	Offset int // byte offset in Input where the problem was found
	Msg    string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("invalid ARN %q at offset %d: %s", e.Input, e.Offset, e.Msg)
}

// segmentNames names the colon-separated segments for error messages.
var segmentNames = [...]string{"\"arn\" prefix", "partition", "service", "region", "account", "resource"}

// Parse splits s into its six ARN segments. It rejects text that does not
// start with "arn:", has fewer than six segments, or has an empty partition,
// service or resource.
func Parse(s string) (ARN, error) {
	if !strings.HasPrefix(s, "arn:") {
		off := 0
		for off < len(s) && off < 4 && s[off] == "arn:"[off] {
			off++
		}
		return ARN{}, &ParseError{Input: s, Offset: off, Msg: `an ARN starts with "arn:"`}
	}
	var seg [5]string
	start := 4
	for i := 1; i < 5; i++ {
		j := strings.IndexByte(s[start:], ':')
		if j < 0 {
			return ARN{}, &ParseError{Input: s, Offset: len(s),
				Msg: fmt.Sprintf("missing %s segment: an ARN has 6 ':'-separated segments, found %d", segmentNames[i+1], i+1)}
		}
		seg[i] = s[start : start+j]
		start += j + 1
	}
	a := ARN{Partition: seg[1], Service: seg[2], Region: seg[3], Account: seg[4], Resource: s[start:]}
	switch {
	case a.Partition == "":
		return ARN{}, &ParseError{Input: s, Offset: 4, Msg: "empty partition (e.g. \"aws\")"}
	case a.Service == "":
		return ARN{}, &ParseError{Input: s, Offset: 5 + len(a.Partition), Msg: "empty service (e.g. \"s3\")"}
	case a.Resource == "":
		return ARN{}, &ParseError{Input: s, Offset: start, Msg: "empty resource"}
	}
	return a, nil
}
