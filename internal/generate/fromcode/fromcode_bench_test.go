package fromcode

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/iamguard/iamguard/internal/generate/sdkmap"
)

// Generated sources: realistic files (imports, clients, calls with literal
// and non-literal arguments, comments, strings) repeated to ~1 MB.
func genTS(n int) []byte {
	var b bytes.Buffer
	b.WriteString("import { S3Client, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';\n")
	b.WriteString("import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';\n")
	b.WriteString("const s3 = new S3Client({ region: 'us-east-1' });\nconst sm = new SecretsManagerClient({});\n")
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `
// Handler %d stores a document and reads its secret.
export async function handler%d(event: { id: string; body: string }): Promise<number> {
  const re = /^[a-z0-9-]+$/i;
  if (!re.test(event.id)) { throw new Error("bad id " + event.id); }
  const secret = await sm.send(new GetSecretValueCommand({ SecretId: 'synthcoreai/app-%d' }));
  await s3.send(new PutObjectCommand({ Bucket: 'synthcoreai-docs', Key: `+"`docs/${event.id}/%d.json`"+`, Body: event.body }));
  const out = await s3.send(new GetObjectCommand({ Bucket: process.env.BUCKET, Key: event.id }));
  return out.ContentLength ?? 0 + secret.SecretString!.length / 2;
}
`, i, i, i, i)
	}
	return b.Bytes()
}

func genPython(n int) []byte {
	var b bytes.Buffer
	b.WriteString("import boto3\n\ns3 = boto3.client('s3', region_name='eu-west-1')\nBUCKET = 'synthcoreai-reports'\n")
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `

def job_%d(day, rows):
    """Write the day's report %d and tell the queue."""
    body = "\n".join(",".join(str(c) for c in row) for row in rows)  # csv
    s3.put_object(Bucket=BUCKET, Key=f"daily/{day}/%d.csv", Body=body)
    listing = s3.list_objects_v2(Bucket=BUCKET, Prefix="daily/")
    return len(listing.get("Contents", [])) + %d
`, i, i, i, i)
	}
	return b.Bytes()
}

func genGo(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`package jobs

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const bucket = "synthcoreai-reports"
`)
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `
// Job%d writes one report.
func Job%d(ctx context.Context, c *s3.Client, id string) error {
	if id == "" {
		return fmt.Errorf("job %d: empty id")
	}
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("daily/%%s/%d.csv", id))})
	return err
}
`, i, i, i, i)
	}
	return b.Bytes()
}

const benchSize = 1 << 20

func benchAnalyze(b *testing.B, name string, src []byte, lang Language) {
	m := sdkmap.Default()
	calls, _ := Analyze(name, src, lang, m)
	if len(calls) == 0 {
		b.Fatal("the generated source has no calls")
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		Analyze(name, src, lang, m)
	}
	reportCPU(b, cpu, int64(len(src)))
}

// reportCPU adds CPU time per operation and throughput per CPU second,
// which a loaded machine does not distort the way it distorts wall time.
func reportCPU(b *testing.B, start, bytes int64) {
	used := processCPU() - start
	if used <= 0 {
		return
	}
	b.ReportMetric(float64(used)/float64(b.N), "cpu-ns/op")
	if bytes > 0 {
		b.ReportMetric(float64(bytes)*float64(b.N)/(float64(used)/1e9)/1e6, "MB/cpu-s")
	}
}

func BenchmarkAnalyzeTypeScript(b *testing.B) {
	benchAnalyze(b, "gen.ts", genTS(benchSize), JavaScript)
}
func BenchmarkAnalyzePython(b *testing.B) { benchAnalyze(b, "gen.py", genPython(benchSize), Python) }
func BenchmarkAnalyzeGo(b *testing.B)     { benchAnalyze(b, "gen.go", genGo(benchSize), Go) }

func BenchmarkTokenizeJS(b *testing.B) {
	src := genTS(benchSize)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		TokenizeJS(src)
	}
	reportCPU(b, cpu, int64(len(src)))
}

// BenchmarkAnalyzeTree is a realistic tree: 200 files of each language,
// one in ten calling AWS, the rest ordinary code.
func BenchmarkAnalyzeTree(b *testing.B) {
	fsys := fstest.MapFS{}
	var total int64
	plain := map[string][]byte{
		".ts": bytes.ReplaceAll(genTS(8<<10), []byte("@aws-sdk/"), []byte("@acme/")),
		".py": bytes.ReplaceAll(genPython(8<<10), []byte("boto3"), []byte("httpx")),
		".go": bytes.ReplaceAll(genGo(8<<10), []byte("github.com/aws/aws-sdk-go-v2"), []byte("example.com/x")),
	}
	sdk := map[string][]byte{".ts": genTS(8 << 10), ".py": genPython(8 << 10), ".go": genGo(8 << 10)}
	for ext := range plain {
		for i := range 200 {
			src := plain[ext]
			if i%10 == 0 {
				src = sdk[ext]
			}
			fsys[fmt.Sprintf("src/pkg%d/file%d%s", i%20, i, ext)] = &fstest.MapFile{Data: src}
			total += int64(len(src))
		}
	}
	b.SetBytes(total)
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		if _, err := AnalyzeFS(context.Background(), fsys, ".", Options{}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu, total)
}

// BenchmarkAnalyzeTreeDense is the worst case for a tree: every file is
// SDK-dense (three calls per function), 64 files of 16 KB per language.
// Files are analysed in parallel, one worker per CPU.
func BenchmarkAnalyzeTreeDense(b *testing.B) {
	for _, lang := range []struct {
		ext string
		gen func(int) []byte
	}{{".go", genGo}, {".ts", genTS}, {".py", genPython}} {
		b.Run(lang.ext[1:], func(b *testing.B) {
			fsys := fstest.MapFS{}
			src := lang.gen(16 << 10)
			for i := range 64 {
				fsys[fmt.Sprintf("src/pkg%d/file%d%s", i%8, i, lang.ext)] = &fstest.MapFile{Data: src}
			}
			b.SetBytes(int64(64 * len(src)))
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				if _, err := AnalyzeFS(context.Background(), fsys, ".", Options{}); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu, int64(64*len(src)))
		})
	}
}

// BenchmarkGoTypesFixture is the typed path on the fixture module: one
// `go list -deps -export` (build cache warm after the first iteration),
// the export data of the SDK read, two packages type-checked and analysed.
func BenchmarkGoTypesFixture(b *testing.B) {
	const dir = "testdata/typed"
	if ws := typesUnavailable(analyzeDir(b, dir, Options{})); len(ws) > 0 {
		b.Skipf("the fixture module does not build here: %s", ws[0].Msg)
	}
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		analyzeDir(b, dir, Options{})
	}
	reportCPU(b, cpu, 0)
}
