package policy

// The two policy language versions IAM accepts in the Version element.
// Version2012 is current; Version2008 lacks policy variables, so a
// "${aws:username}" in a 2008 policy is a literal string.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// IsKnownVersion reports whether v is a Version value IAM accepts.
func IsKnownVersion(v string) bool { return v == Version2012 || v == Version2008 }
