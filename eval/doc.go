// Package eval decides AWS requests as IAM's policy evaluation logic does,
// offline, and explains the decision.
//
// Policies are compiled once (Compile) into small evaluator nodes: action
// lists become catalog action IDs, service prefixes and globs; resource
// patterns become parts with a literal prefix and suffix for a fast reject
// and policy variables resolved in place; condition values are parsed for
// their operator (numbers, dates, CIDRs, ARNs) at compile time. A request
// is parsed once (Prepare): the caller classified, the action resolved in
// the catalog, context values pre-parsed. Decide is then a pure function
// that allocates nothing and returns the Decision with the statement behind
// it; Explain, computed only when asked, traces every policy and statement,
// names the decisive ones with file:line:col, and proposes the smallest fix.
//
// Every policy type takes part: identity policies, the resource's policy
// (including role trust policies and KMS key policies, which must allow even
// within one account), permissions boundaries, SCPs level by level, RCPs
// (RCPFullAWSAccess implied) and session policies, within one account or
// across two. ParseScenario reads the scenario files `iamguard simulate`
// takes, and RunBatch decides JSON Lines of them, compiling each distinct
// policy text once.
//
// The rules, each with the AWS documentation page it comes from, are the
// conformance corpus in testdata/conformance.
package eval
