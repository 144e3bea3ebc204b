package capability

import "strings"

// stopwords carry no meaning for matching a need to a capability.
var stopwords = map[string]bool{
	"a": true, "an": true, "the": true, "i": true, "we": true, "me": true, "my": true, "our": true, "us": true,
	"need": true, "needs": true, "want": true, "wants": true, "would": true, "like": true, "should": true,
	"to": true, "add": true, "allow": true, "let": true, "be": true, "able": true, "can": true, "could": true,
	"for": true, "from": true, "in": true, "into": true, "on": true, "of": true, "with": true, "and": true,
	"or": true, "it": true, "its": true, "some": true, "new": true, "please": true, "support": true,
	"functionality": true, "feature": true, "permission": true, "permissions": true, "policy": true,
	"aws": true, "amazon": true, "that": true, "this": true, "is": true, "are": true, "app": true,
	"application": true, "service": true, "using": true, "use": true, "via": true, "by": true, "so": true,
	"grant": true, "grants": true, "which": true, "specified": true, "specific": true, "one": true, "all": true,
	"at": true, "as": true, "has": true, "have": true, "will": true, "also": true, "do": true, "does": true,
}

// Tokens splits text into lower-case stemmed words, dropping stop words:
// "I need to add file uploads to S3" → [file upload s3]. CamelCase splits
// ("PutObject" → put object), so action names tokenise like descriptions.
func Tokens(s string) []string {
	var out []string
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := strings.ToLower(s[start:end])
		start = -1
		if stopwords[w] {
			return
		}
		out = append(out, Stem(w))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum {
			flush(i)
			continue
		}
		// A capital after a lower-case letter starts a new word (camelCase).
		if start >= 0 && c >= 'A' && c <= 'Z' && s[i-1] >= 'a' && s[i-1] <= 'z' {
			flush(i)
		}
		if start < 0 {
			start = i
		}
	}
	flush(len(s))
	return out
}

// Stem strips common English suffixes lightly: enough that "uploads",
// "uploading" and "uploaded" meet "upload", not a full Porter stemmer.
func Stem(w string) string {
	w = stemSuffix(w)
	// A final 'e' comes and goes with suffixes ("store", "stored"): drop it.
	if len(w) > 4 && w[len(w)-1] == 'e' {
		w = w[:len(w)-1]
	}
	return w
}

func stemSuffix(w string) string {
	if len(w) <= 3 {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "ing") && len(w) > 5:
		w = w[:len(w)-3]
		if n := len(w); n > 2 && w[n-1] == w[n-2] && w[n-1] != 'l' && w[n-1] != 's' {
			w = w[:n-1] // "getting" → "get"
		}
		return w
	case strings.HasSuffix(w, "ed") && len(w) > 4 && !strings.HasSuffix(w, "eed"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "es") && len(w) > 4 && (strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes") || strings.HasSuffix(w, "xes")):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		return w[:len(w)-1]
	}
	return w
}
