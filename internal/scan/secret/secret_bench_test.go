package secret

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// benchCorpus builds a realistic mixed source corpus of about size bytes:
// Go, TypeScript, YAML and env-style text with secret-ish words everywhere
// ("token", "password", "auth", "://"), and one real-looking secret per ~64 KiB.
func benchCorpus(size int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	chunks := []string{
		"func (c *Client) authenticate(ctx context.Context, token string) error {\n\tif token == \"\" {\n\t\treturn errMissingToken\n\t}\n\treq.Header.Set(\"Authorization\", \"Bearer \"+token)\n\treturn nil\n}\n",
		"const response = await client.send(new GetSecretValueCommand({ SecretId: 'engify/mongodb-uri' }));\nconst uri = JSON.parse(response.SecretString).uri;\n",
		"  database:\n    url: postgres://app:${DB_PASSWORD}@db:5432/app\n    password: ${DB_PASSWORD}\n    pool: 10\n",
		"// Package auth checks passwords with bcrypt; see https://pkg.go.dev/golang.org/x/crypto/bcrypt for the cost factor.\n",
		"\tfor i, v := range values {\n\t\tif v.Kind == KindSecret {\n\t\t\tsecrets = append(secrets, v.Name)\n\t\t}\n\t\tsum += i\n\t}\n",
		"export function useSession() { return useContext(SessionContext); } // NextAuth session, token refreshed by the API route\n",
		"| Service | Encryption |\n|---------|-----------|\n| S3 | AES-256 or KMS at rest |\n| Secrets Manager | Automatic KMS encryption |\n",
		"\"integrity\": \"sha512-Kq8u9Zv3LrWc0F2yEjQ7hN5pXa1bT4dGKq8u9Zv3LrWc0F2yEjQ7hN5pXa1bT4dG==\",\n\"resolved\": \"https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz\",\n",
		"msg.Subject = fmt.Sprintf(\"Reset your password, %s\", user.Name) // the reset link expires in one hour\n",
		"SESSION_TIMEOUT=3600\nLOG_LEVEL=debug\nAPI_URL=https://api.example.com/v1\n",
	}
	secrets := []string{
		"const AWS_ACCESS_KEY_ID = 'AKIA§RZPUZDIKFHJZDEGX';\n",
		"apiKey: \"Ze2qpUWnoVPD§F2yeE6RsXcNO\"\n",
		"SENDGRID_API_KEY=SG.§_kv5ZJr3J1TWDtkwtDDb-x.HKas1VOqg6YYZYn9ZhyiA4uoRgnatmUdjAWtGSU8po-\n",
	}
	var b strings.Builder
	b.Grow(size + 1024)
	next := 64 << 10
	for b.Len() < size {
		b.WriteString(chunks[r.IntN(len(chunks))])
		if b.Len() >= next {
			b.WriteString(unmark(secrets[r.IntN(len(secrets))]))
			next += 64 << 10
		}
	}
	return []byte(b.String())
}

func BenchmarkScanBytes(b *testing.B) {
	sc := New(Options{})
	for _, size := range []int{4 << 10, 64 << 10, 1 << 20} {
		data := benchCorpus(size)
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				sc.ScanBytes("src/mixed.ts", data)
			}
		})
	}
}

// BenchmarkPrefilter is the one-pass keyword scan alone: the floor under
// ScanBytes.
func BenchmarkPrefilter(b *testing.B) {
	sc := New(Options{})
	data := benchCorpus(1 << 20)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		n := 0
		sc.pre.scanFunc(data, func(int, int) { n++ })
	}
}

// BenchmarkIndexAnchors is the alternative the design notes mention: one
// bytes.Index pass per anchor (case-sensitive, so it does less work than the
// automaton's case-folded matching).
func BenchmarkIndexAnchors(b *testing.B) {
	sc := New(Options{})
	data := benchCorpus(1 << 20)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		n := 0
		for _, a := range sc.pre.anchors {
			rest := data
			for {
				i := bytes.Index(rest, []byte(a))
				if i < 0 {
					break
				}
				n++
				rest = rest[i+1:]
			}
		}
	}
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		New(Options{})
	}
}
