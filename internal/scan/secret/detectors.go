package secret

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/iamguard/iamguard/finding"
)

// Finding codes. They are stable: users write them in iamguard:ignore
// comments and allowlists.
const (
	CodeAWSAccessKeyID     = "AWS_ACCESS_KEY_ID"
	CodeAWSSecretAccessKey = "AWS_SECRET_ACCESS_KEY"
	CodePrivateKey         = "PRIVATE_KEY"
	CodeSendGridAPIKey     = "SENDGRID_API_KEY"
	CodeTwilioAuthToken    = "TWILIO_AUTH_TOKEN"
	CodeTwilioAPIKey       = "TWILIO_API_KEY"
	CodeStripeSecretKey    = "STRIPE_SECRET_KEY"
	CodeStripeTestKey      = "STRIPE_TEST_KEY"
	CodeGitHubToken        = "GITHUB_TOKEN"
	CodeSlackToken         = "SLACK_TOKEN"
	CodeSlackWebhookURL    = "SLACK_WEBHOOK_URL"
	CodeNPMToken           = "NPM_TOKEN"
	CodeDatabaseURI        = "DATABASE_URI_WITH_PASSWORD"
	CodeNextAuthSecret     = "NEXTAUTH_SECRET"
	CodeEnvSecret          = "ENV_SECRET"
	CodeGenericSecret      = "GENERIC_SECRET"
)

// sample is a detector example: text scanned as the file named file
// ("sample.txt" when empty). A '§' in text is removed before scanning, so
// that this source file itself holds no contiguous secret-shaped token.
type sample struct{ file, text string }

// detector is one kind of secret: the anchors that wake it up, the exact
// check it runs around each anchor, and examples that must and must not be
// reported (tested in detectors_test.go, and seeds for the fuzz target).
type detector struct {
	name    string
	codes   []string
	anchors []string
	// find checks the spot where one of anchors starts at offset at and
	// records matches on sc.
	find           func(sc *fileScan, at int)
	truePositives  []sample
	falsePositives []sample
}

func detectors() []*detector {
	return []*detector{
		{
			name:    "aws-access-key-id",
			codes:   []string{CodeAWSAccessKeyID, CodeAWSSecretAccessKey},
			anchors: []string{"AKIA", "ASIA", "ABIA", "ACCA"},
			find:    findAWSAccessKeyID,
			truePositives: []sample{
				{text: "const AWS_ACCESS_KEY_ID = 'AKIA§RZPUZDIKFHJZDEGX'; // Never do this!"},
				{file: "credentials", text: "[default]\naws_access_key_id = AKIA§RTX3GSDSZINCF32E\naws_secret_access_key = El2hpChYgCfrL1sp§NxnyVmihA+2O76UMFxFkM+R5\n"},
				{text: `{"AccessKeyId": "ASIA§Y34FZKBOKMUTVV7A", "SecretAccessKey": "Kjp1vRt/1fjORS+6§ilI8ihN5KXSc7Tvo+hBKqFYY"}`},
			},
			falsePositives: []sample{
				{text: "aws_access_key_id = AKIA§IOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY§EXAMPLEKEY\n"},
				{text: "const AWS_ACCESS_KEY_ID = 'AKIA...'; // Never do this!"},
				{text: "key := \"AKIA§RZPUZDIKFHJZDEG\" // 19 characters"},
				{text: "id = XAKIA§RZPUZDIKFHJZDEGX"},
				{text: "id = AKIA§RZPUZDIKFHJZDEG1 // '1' is not base32"},
				{text: "tz := \"Asia/Tokyo\"; region := \"ASIA-PACIFIC-SOUTHEAST-1\""},
			},
		},
		{
			name:    "private-key",
			codes:   []string{CodePrivateKey},
			anchors: []string{"-----BEGIN"},
			find:    findPrivateKey,
			truePositives: []sample{
				{file: "id_rsa", text: "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAjtVOKuctmNKfeA8iBH9E0fmA/7BUvzwEvNvLBOm6PG0qCjTT\nHisNGss+xWZhJKDDTjiGOUDLyC8+25xwwtyJ9uufNiLxw49lAQIDAQABAoIBAQ\n-----END RSA PRIVATE KEY-----\n"},
				{text: "const key = \"-----BEGIN PRIVATE KEY-----\\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSfNmO6wK93mYCmvo\\n-----END PRIVATE KEY-----\""},
				{text: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEKg06mqKhH68ng7/Pt+rvfydS9q+g\n-----END OPENSSH PRIVATE KEY-----"},
				{text: "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\nlQOYBFkWSNAOLKPZyrgrJBoipVcH5A3dI8ZXcAG+D/hjCC/Givjytf6+XeoRcRMC\n-----END PGP PRIVATE KEY BLOCK-----"},
			},
			falsePositives: []sample{
				{text: "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE480L5efV+3E52oQnF+esCdR4i0Q8\n-----END PUBLIC KEY-----"},
				{text: "-----BEGIN CERTIFICATE-----\nMIIBhTCCASugAwIBAgIQBC6o3iR7ZgO4q5CbJh4a/DysnYrHMsADLhlAv/G3BWGy\n-----END CERTIFICATE-----"},
				{text: "const header = \"-----BEGIN RSA PRIVATE KEY-----\" // what the parser looks for\nfunc parse() {}"},
				{text: "PRIVATE_KEY=\"-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----\""},
			},
		},
		{
			name:    "sendgrid-api-key",
			codes:   []string{CodeSendGridAPIKey},
			anchors: []string{"SG."},
			find:    findSendGrid,
			truePositives: []sample{
				{text: "SENDGRID_API_KEY=SG.§_kv5ZJr3J1TWDtkwtDDb-x.HKas1VOqg6YYZYn9ZhyiA4uoRgnatmUdjAWtGSU8po-"},
				{text: "sgMail.setApiKey('SG.§_kv5ZJr3J1TWDtkwtDDb-x.HKas1VOqg6YYZYn9ZhyiA4uoRgnatmUdjAWtGSU8po-');"},
			},
			falsePositives: []sample{
				{text: "sgMail.setApiKey(process.env.SENDGRID_API_KEY); msg.Text = \"hi\""},
				{text: "key: SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
				{text: "MSG.§_kv5ZJr3J1TWDtkwtDDb-x.HKas1VOqg6YYZYn9ZhyiA4uoRgnatmUdjAWtGSU8po-"},
			},
		},
		{
			name:    "twilio-auth-token",
			codes:   []string{CodeTwilioAuthToken},
			anchors: []string{"twilio"},
			find:    findTwilioAuthToken,
			truePositives: []sample{
				{file: ".env", text: "TWILIO_ACCOUNT_SID=AC§008f86bebb2737f6a6f0fb23c6f5da2c\nTWILIO_AUTH_TOKEN=eff9243a8f50§6b40928b5b7a767c76fb\n"},
				{text: "const client = require('twilio')('AC§008f86bebb2737f6a6f0fb23c6f5da2c', 'ec255404e4fb§440034d6608697a8d41b');"},
			},
			falsePositives: []sample{
				{text: "const client = require('twilio')(process.env.TWILIO_ACCOUNT_SID, process.env.TWILIO_AUTH_TOKEN);"},
				{text: "// twilio account\nsid = \"AC§008f86bebb2737f6a6f0fb23c6f5da2c\" // an account SID identifies, it does not authenticate"},
				{text: "twilio: 00000000000000000000000000000000"},
			},
		},
		{
			name:    "twilio-api-key",
			codes:   []string{CodeTwilioAPIKey},
			anchors: []string{"SK"},
			find:    findTwilioAPIKey,
			truePositives: []sample{
				{text: "apiKey := \"SK§8d512c9791e558e08baa7196b50ac2f8\""},
			},
			falsePositives: []sample{
				{text: "task := \"desk\" // SKU 8d512c9791e558e08baa7196b50ac2f8"},
				{text: "id = XSK§8d512c9791e558e08baa7196b50ac2f8"},
				{text: "key = SK00000000000000000000000000000000"},
			},
		},
		{
			name:    "stripe",
			codes:   []string{CodeStripeSecretKey, CodeStripeTestKey},
			anchors: []string{"sk_live_", "rk_live_", "sk_test_", "rk_test_"},
			find:    findStripe,
			truePositives: []sample{
				{text: "stripe.api_key = \"sk_live_§5DQL05HA064GiIjHGb3CXlMa\""},
				{text: "const stripe = new Stripe('rk_live_§XZjljENUhJduRHHJEYXg4JdpmrcXgGCJbW56eCuNGMGm');"},
				{text: "STRIPE_KEY=sk_test_§5DQL05HA064GiIjHGb3CXlMa"},
			},
			falsePositives: []sample{
				{text: "stripe.api_key = \"sk_live_xxxxxxxxxxxxxxxxxxxxxxxx\""},
				{text: "if key.startswith('sk_live_'): warn()"},
				{text: "ask_live_§5DQL05HA064GiIjHGb3CXlMa"},
			},
		},
		{
			name:    "github-token",
			codes:   []string{CodeGitHubToken},
			anchors: []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"},
			find:    findGitHubToken,
			truePositives: []sample{
				{text: "GITHUB_TOKEN: ghp_§V8gz4FkQ1okTBGzvAmwufUxbvJDCTbyvHNsG"},
				{text: "token = \"gho_§9eh6Yo4gfqrc5XlrWi0B26R08qzjI6GKFSuf\""},
				{text: "git clone https://x:github_pat_§rdZSlB5er8bOfZqfM2oeq3_hDavJA76rNicHTp8hkqdlm7tOtHWnsCGRlrwZbqcabUGJmGEp7CgQ0PBQFI@github.com/o/r"},
			},
			falsePositives: []sample{
				{text: "token = \"ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\""},
				{text: "if strings.HasPrefix(tok, \"ghp_\") || strings.HasPrefix(tok, \"github_pat_\") {"},
				{text: "see ghp_§V8gz4FkQ1okTBGzvAmwuf (too short)"},
			},
		},
		{
			name:    "slack",
			codes:   []string{CodeSlackToken, CodeSlackWebhookURL},
			anchors: []string{"xoxb-", "xoxp-", "xoxa-", "xoxr-", "hooks.slack.com/services/"},
			find:    findSlack,
			truePositives: []sample{
				{text: "SLACK_BOT_TOKEN=xoxb-§176536724810-198746983231-14zGtSnovm14TUOizwd1iaeO"},
				{text: "token := \"xoxp-§176536724810-198746983231-198746983232-8d512c9791e558e08baa7196b50ac2f8\""},
				{text: "webhook: https://hooks.slack.com/services/§T6MP6AFQF/BJZCZBTTOF7/2WjQ5TY4MyWuUFjsUNPjc01T"},
			},
			falsePositives: []sample{
				{text: "token: xoxb-your-bot-token-here"},
				{text: "url: https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"},
				{text: "if strings.HasPrefix(t, \"xoxb-\") {"},
			},
		},
		{
			name:    "npm-token",
			codes:   []string{CodeNPMToken},
			anchors: []string{"npm_"},
			find:    findNPMToken,
			truePositives: []sample{
				{file: ".npmrc", text: "//registry.npmjs.org/:_authToken=npm_§5GOBUSZGi6HWGK10Zb0RLZ5TR9SPofbciOx9\n"},
			},
			falsePositives: []sample{
				{file: ".npmrc", text: "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"},
				{text: "npm_config_registry=https://registry.npmjs.org/ pnpm_§5GOBUSZGi6HWGK10Zb0RLZ5TR9SPofbciOx9"},
				{text: "NPM_TOKEN=npm_000000000000000000000000000000000000"},
			},
		},
		{
			name:    "database-uri",
			codes:   []string{CodeDatabaseURI},
			anchors: []string{"mongodb://", "mongodb+srv://", "postgres://", "postgresql://", "mysql://", "redis://", "rediss://"},
			find:    findDatabaseURI,
			truePositives: []sample{
				{file: ".env", text: "MONGODB_URI=mongodb+srv://engify-app:Ze2qpUWnoVPDF2§yeE6RsXcNO@cluster0.abcde.mongodb.net/engify?retryWrites=true\n"},
				{text: "db, _ := sql.Open(\"pgx\", \"postgres://app:nW5gcF!Ha6§i%li8G@db.internal:5432/app?sslmode=require\")"},
				{text: "REDIS_URL = 'redis://:PmeMjvqPVStN§KiaEdFrRgSnRFsTHsDDD@cache:6379/0'"},
			},
			falsePositives: []sample{
				{text: "MONGODB_URI=mongodb+srv://app:${MONGO_PASSWORD}@cluster0.abcde.mongodb.net/engify"},
				{text: "url: postgres://user:<password>@localhost:5432/db"},
				{text: "uri = \"mysql://root:password@localhost/test\""},
				{text: "uri = \"postgres://postgres:postgres@localhost:5432/postgres\""},
				{text: "uri = \"mongodb://localhost:27017/engify\"  // no credentials"},
				{text: "uri = \"postgresql://app:****@db/app\"; r = \"redis://default:$REDIS_PASSWORD@cache\""},
			},
		},
		{
			name:  "assignment",
			codes: []string{CodeGenericSecret, CodeEnvSecret, CodeNextAuthSecret, CodeAWSSecretAccessKey},
			anchors: []string{"secret", "token", "pass", "pwd", "apikey", "api_key", "api-key", "auth", "credential",
				"private_key", "privatekey", "encryption_key", "encryptionkey", "signing_key", "signingkey"},
			find: findAssignment,
			truePositives: []sample{
				{file: ".env.production", text: "NEXTAUTH_SECRET=pmuEEdx63BQJEnjEEX§psORg6NymWRyt3TTf5TtNxmDM=\n"},
				{file: "docker-compose.yml", text: "    environment:\n      NEXTAUTH_SECRET: \"pmuEEdx63BQJ§EnjEEXpsORg6NymWRyt3TTf5TtNxmDM=\"\n"},
				{file: ".env", text: "API_KEY_ENCRYPTION_KEY=3f9a7c§21d4e8b06f5a9c3e7d1b2f4a60\nDB_PASSWORD=hunter2hunter2\n"},
				{text: "const apiKey = \"Ze2qpUWnoVPD§F2yeE6RsXcNO\";"},
				{text: "client_secret: 'nW5gcF!Ha6i%§li8G0'"},
				{text: "aws_secret_access_key = \"Kjp1vRt/1fjORS+6§ilI8ihN5KXSc7Tvo+hBKqFYY\""},
				{text: `{"password": "PmeMjvqPVStNKia§EdFrRgSnRFsTHsDDD9"}`},
				{text: "export GITLAB_TOKEN=glpat7Ze2qpUWnoV§PDF2yeE6Rs"},
			},
			falsePositives: []sample{
				{text: "const secret = await client.send(new GetSecretValueCommand({ SecretId: 'synthcoreai/ses-credentials' }));"},
				{text: "password := os.Getenv(\"DB_PASSWORD\")\ntoken = process.env.GITHUB_TOKEN"},
				{text: "secretName: \"engify/api-key-encryption-key\""},
				{text: "token_url = \"https://oauth2.googleapis.com/token\""},
				{text: "password: \"changeme-please-1234\"\napi_key: \"your-api-key-goes-here\"\nsecret: \"<SECRET>\""},
				{text: "author = \"Jane Doe 1234567890abcdef\""},
				{text: "password_hash = \"$2b$12$KIXQJ8Gd7S9Vl3eYp1ObaOa4Yb0Y9kQe1l0eYp1ObaOa4Yb0Y9kQe\""},
				{text: "token_sha256 = \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\""},
				{text: "checksum token = \"9f86d081884c7d659a2feaa0c55ad015\" // sha256 prefix"},
				{text: "password = \"correct horse battery staple\""},
				{text: "nextPageToken: \"CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA0\""},
				{file: "package-lock.json", text: `"token": "sha512-Kq8u9Zv3LrWc0F2yEjQ7hN5pXa1bT4dG=="`},
				{file: ".env.example", text: "NEXTAUTH_SECRET=\nSENDGRID_API_KEY=your-sendgrid-key\nDB_PASSWORD=${DB_PASSWORD}\n"},
				{text: "mySecret := \"short\""},
				{text: "MONGO_PASSWORD=$(aws secretsmanager get-secret-value --secret-id engify/mongodb-uri)"},
				{text: `	"encryptionKey": "encryptionKey1024",`},
				{file: "crypto/ecdh/ecdh_test.go", text: `		PrivateKey: "7d7dc5f71eb29ddaf80d6214632eeae03d9058af1fb6d22ed80badb62bc1a534",`},
			},
		},
	}
}

// findAWSAccessKeyID checks for a 20-character key ID with a documented
// prefix, then looks for its secret access key on nearby lines.
func findAWSAccessKeyID(sc *fileScan, at int) {
	d := sc.data
	end := at + 20
	if end > len(d) || !boundaryBefore(d, at) || end < len(d) && isAlnum(d[end]) {
		return
	}
	var kind string
	switch {
	case hasPrefixAt(d, at, "AKIA"):
		kind = "long-term"
	case hasPrefixAt(d, at, "ASIA"):
		kind = "temporary (STS)"
	case hasPrefixAt(d, at, "ABIA"):
		kind = "STS service bearer token"
	case hasPrefixAt(d, at, "ACCA"):
		kind = "context-specific"
	default:
		return
	}
	for i := at + 4; i < end; i++ {
		if !isBase32(d[i]) {
			return
		}
	}
	// AWS's documentation examples (AKIAIOSFODNN7EXAMPLE and friends).
	if bytes.HasSuffix(d[at:end], []byte("EXAMPLE")) {
		return
	}
	detail := " (old-format key ID: its account cannot be derived offline)"
	if account, ok := AccessKeyAccount(string(d[at:end])); ok {
		detail = " of AWS account " + account
	}
	sc.add(match{
		code: CodeAWSAccessKeyID, severity: finding.Security,
		pos: at, start: at, end: end,
		what:   "hardcoded AWS " + kind + " access key ID",
		detail: detail,
		name:   assignedName(d, at),
	})
	findAWSSecretNear(sc, at, end)
}

// AccessKeyAccount derives the 12-digit AWS account ID encoded in an access
// key ID, offline. After the 4-character prefix the key ID is base32; the
// first 10 characters hold 50 bits, whose top 48 carry a format bit (set in
// current-format key IDs), the 40-bit account number and 7 further bits.
// Old-format key IDs (format bit clear, e.g. AKIAI…, AKIAJ…) encode no
// account and report false.
func AccessKeyAccount(keyID string) (string, bool) {
	if len(keyID) < 14 {
		return "", false
	}
	var bits uint64
	for i := 4; i < 14; i++ {
		c := keyID[i]
		var v byte
		switch {
		case isUpper(c):
			v = c - 'A'
		case '2' <= c && c <= '7':
			v = c - '2' + 26
		default:
			return "", false
		}
		bits = bits<<5 | uint64(v)
	}
	top48 := bits >> 2
	if top48>>47 == 0 {
		return "", false
	}
	return fmt.Sprintf("%012d", (top48&0x7fffffffff80)>>7), true
}

// findAWSSecretNear looks two lines above to four lines below an access key
// ID for its 40-character secret access key (credentials files, SDK calls and
// create-access-key output all keep the two close together).
func findAWSSecretNear(sc *fileScan, keyStart, keyEnd int) {
	d := sc.data
	lo, hi := linesBefore(d, keyStart, 2), linesAfter(d, keyEnd, 4)
	for i := lo; i < hi; {
		if !isB64(d[i]) {
			i++
			continue
		}
		j := runEnd(d, i, isB64)
		if j-i == 40 && (j == len(d) || d[j] != '=') && looksLikeAWSSecret(d[i:j]) {
			sc.add(match{
				code: CodeAWSSecretAccessKey, severity: finding.Security,
				pos: i, start: i, end: j,
				what:   "hardcoded AWS secret access key",
				detail: " (paired with access key ID " + Redact(string(d[keyStart:keyEnd])) + ")",
				name:   assignedName(d, i),
			})
		}
		i = j
	}
}

// looksLikeAWSSecret checks the shape of a secret access key: 40 base64
// characters drawn from upper case, lower case and digits with high entropy
// (a 40-digit hex SHA-1 has no upper case; AWS's example key says EXAMPLE).
func looksLikeAWSSecret(b []byte) bool {
	if len(b) != 40 || bytes.Contains(b, []byte("EXAMPLE")) {
		return false
	}
	for _, c := range b {
		if !isB64(c) {
			return false
		}
	}
	l, u, dg := charClasses(b)
	return l && u && dg && entropy(b) >= 4.0
}

var privateKeyKinds = []struct{ tag, label string }{
	{"RSA ", "RSA"}, {"EC ", "EC"}, {"OPENSSH ", "OpenSSH"}, {"DSA ", "DSA"}, {"PGP ", "PGP"},
	{"ENCRYPTED ", "encrypted PKCS #8"},
}

// findPrivateKey checks a PEM/armor header for a private key and requires a
// body (a run of at least 40 base64 characters before the END line), so that
// parsers naming the header and "..." placeholders are not reported.
func findPrivateKey(sc *fileScan, at int) {
	d := sc.data
	const begin = "-----BEGIN "
	if !hasPrefixAt(d, at, begin) {
		return
	}
	i := at + len(begin)
	label := "PKCS #8"
	for _, k := range privateKeyKinds {
		if hasPrefixAt(d, i, k.tag) {
			label, i = k.label, i+len(k.tag)
			break
		}
	}
	if !hasPrefixAt(d, i, "PRIVATE KEY") {
		return
	}
	i += len("PRIVATE KEY")
	if hasPrefixAt(d, i, " BLOCK") {
		i += len(" BLOCK")
	}
	if !hasPrefixAt(d, i, "-----") {
		return
	}
	i += len("-----")
	limit := min(len(d), i+2048)
	if e := bytes.Index(d[i:limit], []byte("-----END")); e >= 0 {
		limit = i + e
	}
	body := d[:limit]
	for j := i; j < limit; {
		if !isB64Pad(body[j]) {
			j++
			continue
		}
		// A body in a string literal starts after a "\n" escape.
		if body[j] == 'n' && j > 0 && body[j-1] == '\\' {
			j++
		}
		k := runEnd(body, j, isB64Pad)
		if k-j >= 40 {
			sc.add(match{
				code: CodePrivateKey, severity: finding.Security,
				pos: at, start: j, end: k,
				what: "hardcoded " + label + " private key, body",
				name: assignedName(d, at),
			})
			return
		}
		j = k
	}
}

// findSendGrid checks "SG." + 22 + "." + 43 URL-safe base64 characters.
func findSendGrid(sc *fileScan, at int) {
	d := sc.data
	if !hasPrefixAt(d, at, "SG.") || !boundaryBefore(d, at) {
		return
	}
	i := at + 3
	j := runEnd(d, i, isURL64)
	if j-i != 22 || j >= len(d) || d[j] != '.' {
		return
	}
	k := runEnd(d, j+1, isURL64)
	if k-(j+1) != 43 || entropy(d[i:k]) < 3.5 {
		return
	}
	sc.add(match{
		code: CodeSendGridAPIKey, severity: finding.Security,
		pos: at, start: at, end: k,
		what: "hardcoded SendGrid API key",
		name: assignedName(d, at),
	})
}

// findTwilioAuthToken looks on the line naming Twilio (and on the two after
// it, for values not assigned to another name: a multi-line client
// constructor) for a standalone 32-hex-digit token. Account SIDs ("AC" + 32 hex) and API
// key SIDs ("SK" + 32 hex) are 34-character runs and so never match here.
func findTwilioAuthToken(sc *fileScan, at int) {
	d := sc.data
	lo, hi := lineStart(d, at), linesAfter(d, at, 2)
	for i := lo; i < hi; {
		if !isAlnum(d[i]) {
			i++
			continue
		}
		j := runEnd(d, i, isAlnum)
		// On the following lines, a token assigned to a name of its own
		// (API_KEY_ENCRYPTION_KEY=…) is that name's business, not Twilio's.
		sameLine := i < lineEnd(d, at)
		if j-i == 32 && looksLikeRandomHex(d[i:j]) && (sameLine || assignedName(d, i) == "") {
			sc.add(match{
				code: CodeTwilioAuthToken, severity: finding.Security,
				pos: i, start: i, end: j,
				what: "hardcoded Twilio auth token",
				name: assignedName(d, i),
			})
		}
		i = j
	}
}

func looksLikeRandomHex(b []byte) bool {
	return allHex(b) && hasLetterAndDigit(b) && entropy(b) >= 3.0
}

// findTwilioAPIKey checks "SK" + 32 hex digits as a whole word.
func findTwilioAPIKey(sc *fileScan, at int) {
	d := sc.data
	if !hasPrefixAt(d, at, "SK") || !boundaryBefore(d, at) {
		return
	}
	end := runEnd(d, at+2, isAlnum)
	if end-at != 34 || !looksLikeRandomHex(d[at+2:end]) {
		return
	}
	sc.add(match{
		code: CodeTwilioAPIKey, severity: finding.Security,
		pos: at, start: at, end: end,
		what: "hardcoded Twilio API key",
		name: assignedName(d, at),
	})
}

// findStripe checks secret ("sk_") and restricted ("rk_") keys; live keys
// are security findings, test-mode keys warnings.
func findStripe(sc *fileScan, at int) {
	d := sc.data
	if !boundaryBefore(d, at) || at+8 > len(d) {
		return
	}
	prefix := string(d[at : at+8])
	var code, what string
	sev := finding.Security
	switch prefix {
	case "sk_live_", "rk_live_":
		code, what = CodeStripeSecretKey, "hardcoded Stripe live "
	case "sk_test_", "rk_test_":
		code, what, sev = CodeStripeTestKey, "hardcoded Stripe test-mode ", finding.Warning
	default:
		return
	}
	if prefix[0] == 'r' {
		what += "restricted key"
	} else {
		what += "secret key"
	}
	end := runEnd(d, at+8, isAlnum)
	if end-at-8 < 20 || entropy(d[at+8:end]) < 3.0 {
		return
	}
	sc.add(match{code: code, severity: sev, pos: at, start: at, end: end, what: what, name: assignedName(d, at)})
}

// findGitHubToken checks classic (ghp_, gho_, ghu_, ghs_, ghr_ + 36) and
// fine-grained (github_pat_ + 82) token shapes.
func findGitHubToken(sc *fileScan, at int) {
	d := sc.data
	if !boundaryBefore(d, at) {
		return
	}
	var end int
	switch {
	case hasPrefixAt(d, at, "github_pat_"):
		end = runEnd(d, at+11, isWord)
		if n := end - at - 11; n < 70 || n > 255 {
			return
		}
	case at+4 <= len(d) && d[at] == 'g' && d[at+1] == 'h' && d[at+3] == '_' && bytes.IndexByte([]byte("pousr"), d[at+2]) >= 0:
		end = runEnd(d, at+4, isAlnum)
		if n := end - at - 4; n < 36 || n > 255 || end < len(d) && d[end] == '_' {
			return
		}
	default:
		return
	}
	if entropy(d[at:end]) < 3.5 {
		return
	}
	sc.add(match{
		code: CodeGitHubToken, severity: finding.Security,
		pos: at, start: at, end: end,
		what: "hardcoded GitHub token",
		name: assignedName(d, at),
	})
}

// findSlack checks bot/user/app/refresh tokens (xoxb-<digits>-…) and
// incoming webhook URLs.
func findSlack(sc *fileScan, at int) {
	d := sc.data
	const hook = "hooks.slack.com/services/"
	if hasPrefixAt(d, at, hook) {
		i := at + len(hook)
		team := runEnd(d, i, isAlnum)
		if team-i < 7 || d[i] != 'T' || team >= len(d) || d[team] != '/' {
			return
		}
		bot := runEnd(d, team+1, isAlnum)
		if bot-team-1 < 7 || d[team+1] != 'B' || bot >= len(d) || d[bot] != '/' {
			return
		}
		end := runEnd(d, bot+1, isAlnum)
		if end-bot-1 < 16 || entropy(d[bot+1:end]) < 3.0 {
			return
		}
		sc.add(match{
			code: CodeSlackWebhookURL, severity: finding.Security,
			pos: at, start: i, end: end,
			what: "hardcoded Slack incoming webhook URL, path",
			name: assignedName(d, at),
		})
		return
	}
	if at+5 > len(d) || !boundaryBefore(d, at) || !hasPrefixAt(d, at, "xox") || d[at+4] != '-' ||
		bytes.IndexByte([]byte("bpar"), d[at+3]) < 0 {
		return
	}
	end := runEnd(d, at+5, isSlackBody)
	first := runEnd(d, at+5, isDigit)
	if end-at-5 < 20 || first-at-5 < 5 || first >= len(d) || d[first] != '-' || entropy(d[at+5:end]) < 3.0 {
		return
	}
	sc.add(match{
		code: CodeSlackToken, severity: finding.Security,
		pos: at, start: at, end: end,
		what: "hardcoded Slack token",
		name: assignedName(d, at),
	})
}

// findNPMToken checks "npm_" + 36 alphanumerics as a whole word.
func findNPMToken(sc *fileScan, at int) {
	d := sc.data
	if !hasPrefixAt(d, at, "npm_") || !boundaryBefore(d, at) {
		return
	}
	end := runEnd(d, at+4, isAlnum)
	if end-at-4 != 36 || end < len(d) && d[end] == '_' || entropy(d[at+4:end]) < 3.5 {
		return
	}
	sc.add(match{
		code: CodeNPMToken, severity: finding.Security,
		pos: at, start: at, end: end,
		what: "hardcoded npm access token",
		name: assignedName(d, at),
	})
}

var databaseLabels = map[string]string{
	"mongodb": "MongoDB", "mongodb+srv": "MongoDB", "postgres": "PostgreSQL", "postgresql": "PostgreSQL",
	"mysql": "MySQL", "redis": "Redis", "rediss": "Redis",
}

// findDatabaseURI checks user:password@ in a database connection URI and
// reports the password unless it is a placeholder or a well-known default.
func findDatabaseURI(sc *fileScan, at int) {
	d := sc.data
	if at > 0 && (isAlnum(d[at-1]) || d[at-1] == '+') {
		return
	}
	sep := bytes.Index(d[at:min(len(d), at+16)], []byte("://"))
	if sep < 0 {
		return
	}
	scheme := strings.ToLower(string(d[at : at+sep]))
	label, ok := databaseLabels[scheme]
	if !ok {
		return
	}
	i := at + sep + 3
	end := i
	for end < len(d) && end-i < 512 && !isSpace(d[end]) && !isQuote(d[end]) &&
		bytes.IndexByte([]byte("/?#\\)]"), d[end]) < 0 {
		end++
	}
	authority := d[i:end]
	atSign := bytes.LastIndexByte(authority, '@')
	if atSign < 0 {
		return
	}
	userinfo := authority[:atSign]
	colon := bytes.IndexByte(userinfo, ':')
	if colon < 0 {
		return
	}
	user, password := userinfo[:colon], userinfo[colon+1:]
	if len(password) < 4 || isPasswordPlaceholder(password, user) {
		return
	}
	detail := ""
	if len(user) > 0 {
		detail = " (user " + string(user) + ")"
	}
	start := i + colon + 1
	sc.add(match{
		code: CodeDatabaseURI, severity: finding.Security,
		pos: start, start: start, end: start + len(password),
		what:   label + " connection URI with a hardcoded password",
		detail: detail,
		name:   assignedName(d, at),
	})
}

// defaultPasswords are placeholders or well-known local-development
// defaults: not secrets worth rotating, and the bulk of false positives.
var defaultPasswords = map[string]bool{
	"password": true, "pass": true, "passwd": true, "pwd": true, "secret": true, "changeme": true,
	"example": true, "test": true, "postgres": true, "root": true, "admin": true, "mysql": true,
	"redis": true, "mongo": true, "mongodb": true, "user": true, "username": true, "guest": true,
	"xxx": true, "xxxx": true, "dbpass": true, "pw": true, "foobar": true, "default": true, "dev": true,
}

func isPasswordPlaceholder(password, user []byte) bool {
	switch password[0] {
	case '$', '{', '<', '%', '*', '[', '(':
		return true
	}
	if bytes.Equal(password, user) || allSame(password) {
		return true
	}
	lower := strings.ToLower(string(password))
	return defaultPasswords[lower] || containsFold(password, "password", "your", "example", "changeme", "placeholder", "${", "{{", "<", ">", "****", "...")
}

func allSame(b []byte) bool {
	for _, c := range b {
		if c != b[0] {
			return false
		}
	}
	return true
}

// placeholderMarkers in a value mean it is not a real secret: templates,
// environment lookups, documentation and test fixtures.
var placeholderMarkers = []string{
	"${", "{{", "}}", "<", ">", "%s", "%v", "%d", "%(", "process.env", "getenv", "environ", "example",
	"placeholder", "changeme", "change_me", "change-me", "changeit", "replace", "your", "dummy", "fake",
	"sample", "xxxx", "****", "...", "redacted", "todo", "insert", "test", "_here", "-here", "secretsmanager",
}

func isValuePlaceholder(v []byte) bool {
	switch v[0] {
	case '$', '%', '<', '{', '[', '(':
		return true
	}
	return allSame(v) || containsFold(v, placeholderMarkers...)
}

// nameInfo is what an identifier's words say about its value.
type nameInfo struct {
	secret   bool // the name says the value is a secret
	aws      bool // …an AWS secret access key
	nextAuth bool // …the NextAuth.js session secret
	// upperSnake names (API_TOKEN) are environment variables: their values
	// may be unquoted (Dockerfile ENV, shell export, compose files).
	upperSnake bool
}

var (
	secretLastWords = map[string]bool{
		"secret": true, "secrets": true, "token": true, "tokens": true, "password": true, "passwords": true,
		"passwd": true, "pass": true, "pwd": true, "passphrase": true, "credential": true, "credentials": true,
		"apikey": true, "auth": true, "privatekey": true, "secretkey": true,
	}
	// keyQualifiers make "…_key" a secret: api_key, private_key, ….
	keyQualifiers = map[string]bool{
		"api": true, "secret": true, "private": true, "access": true, "encryption": true, "signing": true,
		"auth": true, "client": true, "master": true, "app": true,
	}
	// notSecretQualifiers name tokens that are identifiers or cursors, not
	// credentials (pagination tokens, CSRF tokens, idempotency tokens).
	notSecretQualifiers = map[string]bool{
		"page": true, "next": true, "continuation": true, "cursor": true, "csrf": true, "xsrf": true,
		"sync": true, "idempotency": true, "marker": true, "public": true,
	}
)

// classifyName splits an identifier into words (snake_case, kebab-case,
// camelCase, dotted) and judges it by its last words. It runs on every
// keyword hit, so it works in a stack buffer and allocates nothing.
func classifyName(name []byte) nameInfo {
	var info nameInfo
	if i := bytes.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	var lowerBuf [128]byte
	var spanBuf [12][2]int
	if len(name) > len(lowerBuf) {
		return info
	}
	lower := lowerBuf[:len(name)]
	for i, c := range name {
		lower[i] = fold(c)
	}
	spans, ok := wordSpans(name, spanBuf[:0], len(spanBuf))
	if !ok || len(spans) == 0 {
		return info
	}
	word := func(i int) string {
		if i < 0 {
			return ""
		}
		return string(lower[spans[i][0]:spans[i][1]])
	}
	n := len(spans)
	last, prev := lower[spans[n-1][0]:spans[n-1][1]], ""
	if n > 1 {
		prev = word(n - 2)
	}
	switch {
	case notSecretQualifiers[prev]:
		return info
	case secretLastWords[string(last)]:
		info.secret = true
	case string(last) == "key" && keyQualifiers[prev]:
		info.secret = true
	default:
		return info
	}
	info.upperSnake = true
	for _, c := range name {
		if isLower(c) || c == '-' {
			info.upperSnake = false
			break
		}
	}
	hasSecret, hasAWS := false, false
	for i := range spans {
		w := word(i)
		hasSecret = hasSecret || w == "secret"
		hasAWS = hasAWS || w == "aws" || w == "access"
		info.nextAuth = info.nextAuth || w == "nextauth" || w == "next" && i+1 < n && word(i+1) == "auth"
	}
	info.aws = hasSecret && hasAWS
	info.nextAuth = info.nextAuth && string(last) == "secret"
	return info
}

// wordSpans appends the [start, end) of each word of an identifier to spans;
// it reports false when the identifier has more than limit words.
func wordSpans(name []byte, spans [][2]int, limit int) ([][2]int, bool) {
	start := -1
	ok := true
	flush := func(end int) {
		if start >= 0 && end > start {
			if len(spans) == limit {
				ok = false
			} else {
				spans = append(spans, [2]int{start, end})
			}
		}
		start = -1
	}
	for i, c := range name {
		if !isAlnum(c) {
			flush(i)
			continue
		}
		if start >= 0 && isUpper(c) {
			prev := name[i-1]
			// fooBar → foo|Bar; APIKey → API|Key.
			if isLower(prev) || isDigit(prev) || isUpper(prev) && i+1 < len(name) && isLower(name[i+1]) {
				flush(i)
			}
		}
		if start < 0 {
			start = i
		}
	}
	flush(len(name))
	return spans, ok
}

// splitWords returns the lower-cased words of an identifier.
func splitWords(name []byte) []string {
	spans, _ := wordSpans(name, nil, len(name))
	words := make([]string, len(spans))
	for i, s := range spans {
		words[i] = strings.ToLower(string(name[s[0]:s[1]]))
	}
	return words
}

// findAssignment checks "<secret-ish name> <op> <literal>" in code, config
// and env files: the name must say secret (by its last words), the value
// must be a literal, not a placeholder, and random enough.
func findAssignment(sc *fileScan, at int) {
	d := sc.data
	s := at
	for s > 0 && isIdentByte(d[s-1]) {
		s--
	}
	if s == sc.lastIdent {
		return
	}
	sc.lastIdent = s
	e := runEnd(d, at, isIdentByte)
	for e > s && (d[e-1] == '.' || d[e-1] == '-') {
		e--
	}
	if e-s > 128 {
		return
	}
	info := classifyName(d[s:e])
	if !info.secret {
		return
	}
	// A quoted key ("password": …) or an index (cfg["password"] = …).
	j := e
	if j < len(d) && isQuote(d[j]) && s > 0 && d[s-1] == d[j] {
		j++
	}
	if j < len(d) && d[j] == ']' {
		j++
	}
	j = runEnd(d, j, isBlank)
	j, ok := skipOperator(d, j)
	if !ok {
		return
	}
	j = runEnd(d, j, isBlank)
	vs, ve, quoted := literalValue(d, j)
	if vs < 0 {
		return
	}
	value := d[vs:ve]
	if len(value) == 0 || bytes.ContainsAny(value, " \t") {
		return
	}
	bare := !quoted
	if bare && !sc.env && !(info.upperSnake && bareValueLooksLiteral(value)) {
		return
	}
	m := match{pos: vs, start: vs, end: ve, name: kebab(d[s:e])}
	switch {
	case info.aws && looksLikeAWSSecret(value):
		m.code, m.severity, m.what = CodeAWSSecretAccessKey, finding.Security, "hardcoded AWS secret access key"
	case isValuePlaceholder(value) || containsNameWord(value, d[s:e]):
		return
	case info.nextAuth:
		if len(value) < 8 || entropy(value) < 2.5 {
			return
		}
		m.code, m.severity, m.what = CodeNextAuthSecret, finding.Security, "hardcoded NextAuth.js secret"
	case sc.env && !isEnvTemplate(sc.file):
		if len(value) < 8 || entropy(value) < 2.5 {
			return
		}
		m.code, m.severity, m.what = CodeEnvSecret, finding.Security, "secret in env file"
	default:
		// Pure hex in tests is a test vector (keys and secrets of published
		// known-answer tests), not a credential.
		if sc.lock || sc.isMinified() || !looksRandom(value) || isDigest(value, d, vs) || allHex(value) && isTestPath(sc.file) {
			return
		}
		m.code, m.severity, m.what = CodeGenericSecret, finding.Warning, "possible hardcoded secret"
		if sc.env {
			m.code, m.severity, m.what = CodeEnvSecret, finding.Security, "secret in env file"
		}
	}
	m.what += " (" + string(d[s:e]) + ")"
	sc.add(m)
}

// skipOperator accepts the assignment and comparison operators of common
// languages and config formats: = == === := : => ?= ||=.
func skipOperator(d []byte, j int) (int, bool) {
	rest := d[j:min(len(d), j+4)]
	for _, op := range []string{"===", "||=", ":=", "=>", "==", "?=", "=", ":"} {
		if bytes.HasPrefix(rest, []byte(op)) {
			if op == ":" && len(rest) > 1 && rest[1] == ':' {
				return j, false
			}
			return j + len(op), true
		}
	}
	return j, false
}

// literalValue finds the value after an operator: a quoted string on the
// same line (with an optional b/r/u/f/@ prefix or a []byte( conversion), or
// else a bare word up to the end of the line's first blank.
func literalValue(d []byte, j int) (start, end int, quoted bool) {
	if hasPrefixAt(d, j, "[]byte(") {
		j += len("[]byte(")
	}
	if j+1 < len(d) && bytes.IndexByte([]byte("bBrRuUfF@"), d[j]) >= 0 && isQuote(d[j+1]) {
		j++
	}
	if j >= len(d) {
		return -1, -1, false
	}
	if q := d[j]; isQuote(q) {
		for k := j + 1; k < len(d) && d[k] != '\n'; k++ {
			switch d[k] {
			case '\\':
				k++
			case q:
				return j + 1, k, true
			}
		}
		return -1, -1, false
	}
	end = j
	for end < len(d) && !isSpace(d[end]) && !isQuote(d[end]) {
		end++
	}
	for end > j && (d[end-1] == ';' || d[end-1] == ',') {
		end--
	}
	return j, end, false
}

// bareValueLooksLiteral accepts unquoted values that read as a token, not as
// an expression or a variable reference.
func bareValueLooksLiteral(v []byte) bool {
	if len(v) < 16 || !hasLetterAndDigit(v) {
		return false
	}
	for _, c := range v {
		if !isURL64(c) && bytes.IndexByte([]byte("+/=.~"), c) < 0 {
			return false
		}
	}
	return true
}

// looksRandom is the generic detector's bar: at least 16 characters of
// high entropy, with letters and digits (or both cases at very high entropy).
func looksRandom(v []byte) bool {
	if len(v) < 16 || len(v) > 1024 || bytes.Contains(v, []byte("://")) || v[0] == '/' || hasPrefixAt(v, 0, "./") {
		return false
	}
	h := entropy(v)
	if h < 3.5 {
		return false
	}
	l, u, _ := charClasses(v)
	return hasLetterAndDigit(v) || l && u && h >= 4.0
}

// isDigest reports a hex value of a digest's length on a line that talks
// about hashing (integrity, checksum, sha256, md5…).
func isDigest(v, d []byte, at int) bool {
	switch len(v) {
	case 32, 40, 56, 64, 96, 128:
	default:
		return false
	}
	if !allHex(v) {
		return false
	}
	line := d[lineStart(d, at):lineEnd(d, at)]
	return containsFold(line, "sha", "md5", "integrity", "checksum", "digest", "hash")
}

// containsNameWord reports whether the value repeats a word (of 4+ letters)
// of its own name: "encryptionKey": "encryptionKey1024" is a label, and
// DB_PASSWORD=mypassword2024 a placeholder.
func containsNameWord(value, name []byte) bool {
	var spanBuf [12][2]int
	spans, _ := wordSpans(name, spanBuf[:0], len(spanBuf))
	for _, sp := range spans {
		if w := name[sp[0]:sp[1]]; len(w) >= 4 && indexFoldBytes(value, w) >= 0 {
			return true
		}
	}
	return false
}

// isTestPath reports files that by name or directory hold tests or fixtures.
func isTestPath(file string) bool {
	f := "/" + strings.ToLower(file)
	for _, dir := range []string{"/testdata/", "/test/", "/tests/", "/__tests__/", "/spec/", "/fixtures/"} {
		if strings.Contains(f, dir) {
			return true
		}
	}
	base := f[strings.LastIndexByte(f, '/')+1:]
	return strings.HasSuffix(base, "_test.go") || strings.Contains(base, ".test.") || strings.Contains(base, ".spec.") ||
		strings.HasPrefix(base, "test_") || strings.HasSuffix(base, "_test.py")
}

func isEnvTemplate(file string) bool {
	lower := strings.ToLower(file)
	for _, s := range []string{".example", ".sample", ".template", ".dist", ".defaults", ".tmpl"} {
		if strings.HasSuffix(lower, s) {
			return true
		}
	}
	return false
}

// assignedName finds the name a token is assigned to on its own line
// ("SENDGRID_API_KEY=SG…", "apiKey: 'SG…'"), for naming the Secrets Manager
// secret in the fix.
func assignedName(d []byte, at int) string {
	ls := lineStart(d, at)
	j := at
	for j > ls && (isQuote(d[j-1]) || isBlank(d[j-1])) {
		j--
	}
	op := j
	for j > ls && bytes.IndexByte([]byte("=:>"), d[j-1]) >= 0 {
		j--
	}
	if j == op {
		return "" // no assignment: the word before is not this value's name
	}
	for j > ls && (isQuote(d[j-1]) || isBlank(d[j-1])) {
		j--
	}
	e := j
	for j > ls && isIdentByte(d[j-1]) {
		j--
	}
	if e == j || e-j > 64 || isDigit(d[j]) {
		return ""
	}
	return kebab(d[j:e])
}

// kebab renders an identifier as a Secrets Manager name segment:
// NEXTAUTH_SECRET → nextauth-secret, sendgridApiKey → sendgrid-api-key.
func kebab(name []byte) string {
	if i := bytes.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return strings.Join(splitWords(name), "-")
}
