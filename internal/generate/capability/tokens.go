package capability

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
	eachTerm(s, nil, func(t []byte) { out = append(out, string(t)) })
	return out
}

// eachTerm calls fn with each term of s, in a buffer reused between calls
// (fn must copy what it keeps): indexing 22k descriptions allocates only
// for new terms.
func eachTerm(s string, buf []byte, fn func([]byte)) []byte {
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		buf = buf[:0]
		for i := start; i < end; i++ {
			c := s[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf = append(buf, c)
		}
		start = -1
		if stopwords[string(buf)] {
			return
		}
		fn(stemBytes(buf))
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
	return buf
}

// Stem strips common English suffixes lightly: enough that "uploads",
// "uploading" and "uploaded" meet "upload", not a full Porter stemmer.
func Stem(w string) string { return string(stemBytes([]byte(w))) }

func hasSuffix(w []byte, suf string) bool {
	return len(w) >= len(suf) && string(w[len(w)-len(suf):]) == suf
}

// stemBytes stems w in place and returns the stem (a prefix of w, or w
// with its last byte changed).
func stemBytes(w []byte) []byte {
	w = stemSuffix(w)
	// A final 'e' comes and goes with suffixes ("store", "stored"): drop it.
	if len(w) > 4 && w[len(w)-1] == 'e' {
		w = w[:len(w)-1]
	}
	return w
}

func stemSuffix(w []byte) []byte {
	if len(w) <= 3 {
		return w
	}
	switch {
	case hasSuffix(w, "ies") && len(w) > 4:
		w = w[:len(w)-2]
		w[len(w)-1] = 'y'
		return w
	case hasSuffix(w, "sses"):
		return w[:len(w)-2]
	case hasSuffix(w, "ing") && len(w) > 5:
		w = w[:len(w)-3]
		if n := len(w); n > 2 && w[n-1] == w[n-2] && w[n-1] != 'l' && w[n-1] != 's' {
			w = w[:n-1] // "getting" → "get"
		}
		return w
	case hasSuffix(w, "ed") && len(w) > 4 && !hasSuffix(w, "eed"):
		return w[:len(w)-2]
	case hasSuffix(w, "es") && len(w) > 4 && (hasSuffix(w, "ches") || hasSuffix(w, "shes") || hasSuffix(w, "xes")):
		return w[:len(w)-2]
	case hasSuffix(w, "s") && !hasSuffix(w, "ss") && !hasSuffix(w, "us") && !hasSuffix(w, "is"):
		return w[:len(w)-1]
	}
	return w
}
