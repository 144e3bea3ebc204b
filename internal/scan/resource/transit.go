package resource

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/iamguard/iamguard/internal/iac"
	"github.com/iamguard/iamguard/node"
)

// Encryption in transit (seed 001: "In Transit: Always HTTPS/TLS").
func transitRules() []Rule {
	return []Rule{
		{
			Code: "S3_TLS_NOT_ENFORCED", Severity: "security",
			Why:   "S3 accepts plain HTTP requests unless the bucket policy denies them; only a Deny on aws:SecureTransport = false enforces TLS.",
			Fix:   `Add a bucket policy statement: {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [bucket ARN, bucket ARN + "/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}.`,
			check: checkS3TLS,
		},
		{
			Code: "LB_LISTENER_NOT_HTTPS", Severity: "security",
			Why:   "A load balancer listener on plain HTTP sends requests, cookies and tokens in clear text.",
			Fix:   "Listen on HTTPS (or TLS) with a certificate, and make the HTTP listener a redirect to HTTPS (DefaultActions Type redirect, RedirectConfig Protocol HTTPS, StatusCode HTTP_301).",
			check: checkListenerHTTPS,
		},
		{
			Code: "LB_TLS_POLICY_OUTDATED", Severity: "security",
			Why:    "An HTTPS or TLS listener without SslPolicy gets ELBSecurityPolicy-2016-08 from CloudFormation, Terraform and the CLI, which accepts TLS 1.0 and 1.1.",
			Fix:    "Set SslPolicy (Terraform: ssl_policy) to ELBSecurityPolicy-TLS13-1-2-2021-06 or another policy whose minimum is at least encryption.minTLS.",
			Config: "encryption.minTLS",
			check:  checkListenerTLS,
		},
		{
			Code: "APIGATEWAY_TLS_OUTDATED", Severity: "security",
			Why:    "A REST API custom domain without SecurityPolicy accepts TLS 1.0.",
			Fix:    "Set SecurityPolicy (Terraform: security_policy) to TLS_1_2 or an enhanced SecurityPolicy_TLS13_* policy.",
			Config: "encryption.minTLS",
			check:  checkAPIGatewayTLS,
		},
		{
			Code: "CLOUDFRONT_HTTP_ALLOWED", Severity: "security",
			Why:   "ViewerProtocolPolicy allow-all serves viewers over plain HTTP, and an origin on http-only carries requests to the origin in clear text.",
			Fix:   "Set ViewerProtocolPolicy (viewer_protocol_policy) to redirect-to-https or https-only, and OriginProtocolPolicy (origin_protocol_policy) to https-only.",
			check: checkCloudFrontHTTP,
		},
		{
			Code: "CLOUDFRONT_TLS_OUTDATED", Severity: "security",
			Why:    "A distribution whose MinimumProtocolVersion is below the required TLS version (or that uses the default *.cloudfront.net certificate, which allows TLS 1.0) accepts outdated TLS.",
			Fix:    "Use an ACM certificate with MinimumProtocolVersion TLSv1.2_2021 (Terraform: minimum_protocol_version = \"TLSv1.2_2021\").",
			Config: "encryption.minTLS",
			check:  checkCloudFrontTLS,
		},
		{
			Code: "RDS_TLS_NOT_ENFORCED", Severity: "warning",
			Why:   "RDS accepts unencrypted client connections unless the parameter group forces TLS (rds.force_ssl for PostgreSQL and SQL Server, require_secure_transport for MySQL and MariaDB).",
			Fix:   "In the DB parameter group set rds.force_ssl = 1 (PostgreSQL, SQL Server) or require_secure_transport = ON (MySQL, MariaDB).",
			check: checkRDSTLS,
		},
	}
}

// tlsVersion is a TLS version times ten: 10 is TLS 1.0, 12 is TLS 1.2.
type tlsVersion int

const tls12 tlsVersion = 12

func parseTLS(s string) tlsVersion {
	s = strings.TrimPrefix(strings.TrimPrefix(strings.ToLower(s), "tlsv"), "tls")
	major, minor, ok := strings.Cut(strings.TrimSpace(s), ".")
	if !ok || major != "1" {
		return 0
	}
	m, err := strconv.Atoi(minor)
	if err != nil {
		return 0
	}
	return tlsVersion(10 + m)
}

func (v tlsVersion) String() string { return fmt.Sprintf("TLS 1.%d", int(v)-10) }

// policyMinTLS reads the minimum TLS version from a predefined policy name:
// ELBSecurityPolicy-TLS13-1-2-2021-06 → 1.2, ELBSecurityPolicy-FS-1-1-2019-08
// → 1.1, TLS_1_2 → 1.2, SecurityPolicy_TLS13_1_3_2025_09 → 1.3. Names
// without a version (ELBSecurityPolicy-2016-08) allow TLS 1.0.
var policyTLSRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)(?:TLS13|TLS|FS)[-_]1[-_]([0-3])`) })

func policyMinTLS(name string) tlsVersion {
	if m := policyTLSRE().FindStringSubmatch(name); m != nil {
		return tlsVersion(10 + int(m[1][0]-'0'))
	}
	return 10
}

func checkS3TLS(c *checker, r *iac.Resource) {
	if !isBucket(r) {
		return
	}
	docs, known := bucketPolicies(r)
	if !known {
		return
	}
	for _, d := range docs {
		if deniesInsecureTransport(d.Node) {
			return
		}
	}
	msg := describe(r) + ": no bucket policy denies requests without TLS (aws:SecureTransport = false)"
	if len(docs) > 0 {
		msg = describe(r) + ": the bucket policy does not deny requests without TLS (aws:SecureTransport = false)"
	}
	c.report(r, nil, "", msg, "")
}

// bucketPolicies returns the policy documents attached to a bucket;
// known is false when one of them cannot be read (an unresolved value).
func bucketPolicies(r *iac.Resource) ([]iac.Match, bool) {
	var docs []iac.Match
	if r.Dialect() == iac.DialectTF {
		if f := r.Props.Get("policy"); f != nil {
			doc := iac.PolicyDocument(f)
			if doc == nil {
				return nil, false
			}
			docs = append(docs, iac.Match{Node: doc, Path: r.Path + ".policy"})
		}
		return docs, true
	}
	for _, ch := range r.Children {
		if ch.Type != "AWS::S3::BucketPolicy" {
			continue
		}
		doc := iac.PolicyDocument(ch.Get("PolicyDocument"))
		if doc == nil {
			return nil, false
		}
		docs = append(docs, iac.Match{Node: doc, Path: ch.Path + ".PolicyDocument"})
	}
	return docs, true
}

// deniesInsecureTransport looks for Deny + Condition Bool(IfExists)
// aws:SecureTransport false.
func deniesInsecureTransport(doc *node.Node) bool {
	for _, st := range statements(doc) {
		if eff, _ := iac.String(st.Get("Effect")); eff != "Deny" {
			continue
		}
		cond := st.Get("Condition")
		if cond == nil || cond.Kind != node.Object {
			continue
		}
		for _, op := range cond.Fields {
			if !strings.EqualFold(op.Key, "Bool") && !strings.EqualFold(op.Key, "BoolIfExists") {
				continue
			}
			for _, kv := range op.Value.Fields {
				if !strings.EqualFold(kv.Key, "aws:SecureTransport") {
					continue
				}
				for _, v := range scalars(kv.Value) {
					if strings.EqualFold(v, "false") {
						return true
					}
				}
			}
		}
	}
	return false
}

// statements returns a policy document's statements (one or a list).
func statements(doc *node.Node) []*node.Node {
	st := doc.Get("Statement")
	if st == nil {
		return nil
	}
	if st.Kind == node.Array {
		return st.Items
	}
	return []*node.Node{st}
}

// scalars returns the known scalar texts of a value or a list of values.
func scalars(n *node.Node) []string {
	if n == nil {
		return nil
	}
	if n.Kind == node.Array {
		var out []string
		for _, item := range n.Items {
			if s, ok := iac.String(item); ok {
				out = append(out, s)
			}
		}
		return out
	}
	if s, ok := iac.String(n); ok {
		return []string{s}
	}
	return nil
}

func checkListenerHTTPS(c *checker, r *iac.Resource) {
	switch {
	case is(r, "AWS::ElasticLoadBalancingV2::Listener", "aws_lb_listener", "aws_alb_listener"):
		protoKey := pick(r, "Protocol", "protocol")
		proto := r.Get(protoKey)
		p, known := iac.String(proto)
		if proto == nil && r.Dialect() == iac.DialectTF && !set(r.Get("certificate_arn")) {
			p, known = "HTTP", true // the provider's default for an Application Load Balancer
		}
		if !known || !strings.EqualFold(p, "HTTP") {
			return
		}
		actions := r.Lookup(pick(r, "DefaultActions[]", "default_action[]"))
		redirects := len(actions) > 0
		for _, a := range actions {
			typ, _ := iac.String(a.Node.Get(pick(r, "Type", "type")))
			var rp string
			for _, m := range lookupIn(a, pick(r, "RedirectConfig", "redirect[]")) {
				rp, _ = iac.String(m.Node.Get(pick(r, "Protocol", "protocol")))
			}
			if typ != "redirect" || !strings.EqualFold(rp, "HTTPS") {
				redirects = false
			}
		}
		if !redirects {
			c.report(r, proto, joinPath(r.Path, protoKey), describe(r)+": listener serves plain HTTP instead of redirecting to HTTPS", "")
		}
	case is(r, "AWS::ElasticLoadBalancing::LoadBalancer", "aws_elb"):
		for _, l := range r.Lookup(pick(r, "Listeners[]", "listener[]")) {
			key := pick(r, "Protocol", "lb_protocol")
			v := l.Node.Get(key)
			if p, ok := iac.String(v); ok && strings.EqualFold(p, "HTTP") {
				c.report(r, v, l.Path+"."+key, describe(r)+": classic load balancer listener serves plain HTTP", "")
			}
		}
	}
}

func checkListenerTLS(c *checker, r *iac.Resource) {
	if !is(r, "AWS::ElasticLoadBalancingV2::Listener", "aws_lb_listener", "aws_alb_listener") {
		return
	}
	p, ok := iac.String(r.Get(pick(r, "Protocol", "protocol")))
	if !ok || !(strings.EqualFold(p, "HTTPS") || strings.EqualFold(p, "TLS")) {
		return
	}
	key := pick(r, "SslPolicy", "ssl_policy")
	v := r.Get(key)
	if v == nil {
		c.report(r, nil, "", fmt.Sprintf("%s: %s listener without %s gets ELBSecurityPolicy-2016-08, which accepts TLS 1.0", describe(r), p, key), "")
		return
	}
	if name, ok := iac.String(v); ok {
		if min := policyMinTLS(name); min < c.s.minTLS {
			c.report(r, v, joinPath(r.Path, key), fmt.Sprintf("%s: security policy %s accepts %s; the minimum is %s", describe(r), name, min, c.s.minTLS), "")
		}
	}
}

func checkAPIGatewayTLS(c *checker, r *iac.Resource) {
	switch {
	case is(r, "AWS::ApiGateway::DomainName", "aws_api_gateway_domain_name"):
		key := pick(r, "SecurityPolicy", "security_policy")
		v := r.Get(key)
		if v == nil {
			c.report(r, nil, "", fmt.Sprintf("%s: no %s, so the custom domain accepts TLS 1.0", describe(r), key), "")
			return
		}
		if name, ok := iac.String(v); ok {
			if min := policyMinTLS(name); min < c.s.minTLS {
				c.report(r, v, joinPath(r.Path, key), fmt.Sprintf("%s: security policy %s accepts %s; the minimum is %s", describe(r), name, min, c.s.minTLS), "")
			}
		}
	case is(r, "AWS::ApiGatewayV2::DomainName", "aws_apigatewayv2_domain_name"):
		key := pick(r, "SecurityPolicy", "security_policy")
		for _, m := range r.Lookup(pick(r, "DomainNameConfigurations[]", "domain_name_configuration[]")) {
			v := m.Node.Get(key)
			if name, ok := iac.String(v); ok && policyMinTLS(name) < c.s.minTLS {
				c.report(r, v, m.Path+"."+key, fmt.Sprintf("%s: security policy %s accepts %s; the minimum is %s", describe(r), name, policyMinTLS(name), c.s.minTLS), "")
			}
		}
	}
}

func isDistribution(r *iac.Resource) bool {
	return is(r, "AWS::CloudFront::Distribution", "aws_cloudfront_distribution")
}

func checkCloudFrontHTTP(c *checker, r *iac.Resource) {
	if !isDistribution(r) {
		return
	}
	vpp := pick(r, "ViewerProtocolPolicy", "viewer_protocol_policy")
	behaviors := pick(r, "DistributionConfig.DefaultCacheBehavior,DistributionConfig.CacheBehaviors[]", "default_cache_behavior[],ordered_cache_behavior[]")
	for _, path := range strings.Split(behaviors, ",") {
		for _, m := range r.Lookup(path) {
			v := m.Node.Get(vpp)
			if s, ok := iac.String(v); ok && s == "allow-all" {
				c.report(r, v, m.Path+"."+vpp, describe(r)+": viewers may use plain HTTP (allow-all)", "")
			}
		}
	}
	opp := pick(r, "OriginProtocolPolicy", "origin_protocol_policy")
	for _, m := range r.Lookup(pick(r, "DistributionConfig.Origins[].CustomOriginConfig", "origin[].custom_origin_config[]")) {
		v := m.Node.Get(opp)
		if s, ok := iac.String(v); ok && s == "http-only" {
			c.report(r, v, m.Path+"."+opp, describe(r)+": CloudFront reaches the origin over plain HTTP (http-only)", "")
		}
	}
}

// cloudFrontTLS maps MinimumProtocolVersion names to their minimum.
func cloudFrontTLS(name string) tlsVersion {
	switch {
	case strings.HasPrefix(name, "SSLv3"):
		return 9
	case strings.HasPrefix(name, "TLSv1.3"):
		return 13
	case strings.HasPrefix(name, "TLSv1.2"):
		return 12
	case strings.HasPrefix(name, "TLSv1.1"):
		return 11
	}
	return 10
}

func checkCloudFrontTLS(c *checker, r *iac.Resource) {
	if !isDistribution(r) {
		return
	}
	certs := r.Lookup(pick(r, "DistributionConfig.ViewerCertificate", "viewer_certificate[]"))
	if len(certs) == 0 {
		if r.Dialect() == iac.DialectCFN && r.Get("DistributionConfig") != nil {
			c.report(r, nil, "", describe(r)+": no ViewerCertificate, so the default *.cloudfront.net certificate allows TLS 1.0", "")
		}
		return
	}
	for _, m := range certs {
		if b, ok := iac.Bool(m.Node.Get(pick(r, "CloudFrontDefaultCertificate", "cloudfront_default_certificate"))); ok && b {
			c.report(r, m.Node, m.Path, describe(r)+": the default *.cloudfront.net certificate allows TLS 1.0; use an ACM certificate with a TLS 1.2 minimum", "")
			continue
		}
		key := pick(r, "MinimumProtocolVersion", "minimum_protocol_version")
		v := m.Node.Get(key)
		if v == nil {
			c.report(r, m.Node, m.Path, fmt.Sprintf("%s: no %s, so viewers may use TLS 1.0", describe(r), key), "")
			continue
		}
		if name, ok := iac.String(v); ok && cloudFrontTLS(name) < c.s.minTLS {
			c.report(r, v, m.Path+"."+key, fmt.Sprintf("%s: %s %s is below the minimum %s", describe(r), key, name, c.s.minTLS), "")
		}
	}
}

// rdsTLSParam returns the parameter that forces TLS for a parameter group
// family, the value that turns it on, and whether the engine already
// forces TLS by default (PostgreSQL 15 and later).
func rdsTLSParam(family string) (param string, onByDefault, ok bool) {
	f := strings.ToLower(family)
	switch {
	case strings.HasPrefix(f, "aurora-postgresql"), strings.HasPrefix(f, "postgres"):
		v, _ := strconv.Atoi(strings.TrimLeft(strings.TrimPrefix(strings.TrimPrefix(f, "aurora-postgresql"), "postgres"), "-"))
		return "rds.force_ssl", v >= 15, true
	case strings.HasPrefix(f, "sqlserver"):
		return "rds.force_ssl", false, true
	case strings.HasPrefix(f, "aurora-mysql"), strings.HasPrefix(f, "mysql"), strings.HasPrefix(f, "mariadb"):
		return "require_secure_transport", false, true
	}
	return "", false, false
}

func checkRDSTLS(c *checker, r *iac.Resource) {
	if !is(r, "AWS::RDS::DBParameterGroup", "AWS::RDS::DBClusterParameterGroup", "aws_db_parameter_group", "aws_rds_cluster_parameter_group") {
		return
	}
	family, ok := iac.String(r.Get(pick(r, "Family", "family")))
	if !ok {
		return
	}
	param, onByDefault, ok := rdsTLSParam(family)
	if !ok {
		return
	}
	value, at, path, found := rdsParam(r, param)
	if !found {
		if !onByDefault {
			c.report(r, nil, "", fmt.Sprintf("%s: %s parameter group does not set %s, so clients may connect without TLS", describe(r), family, param), "")
		}
		return
	}
	if value == "" {
		return // unknown
	}
	switch strings.ToLower(value) {
	case "1", "on", "true":
		return
	}
	c.report(r, at, path, fmt.Sprintf("%s: %s = %s lets clients connect without TLS", describe(r), param, value), "")
}

// rdsParam finds a parameter: CloudFormation Parameters is a map,
// Terraform has parameter { name, value } blocks.
func rdsParam(r *iac.Resource, name string) (value string, at *node.Node, path string, found bool) {
	if r.Dialect() == iac.DialectCFN {
		params := r.Get("Parameters")
		if params == nil || !iac.IsKnown(params) {
			return "", nil, "", params != nil
		}
		for _, f := range params.Fields {
			if strings.EqualFold(f.Key, name) {
				v, _ := iac.String(f.Value)
				return v, f.Value, r.Path + ".Parameters." + f.Key, true
			}
		}
		return "", nil, "", false
	}
	for _, m := range r.Lookup("parameter[]") {
		if n, _ := iac.String(m.Node.Get("name")); strings.EqualFold(n, name) {
			v, _ := iac.String(m.Node.Get("value"))
			return v, m.Node.Get("value"), m.Path + ".value", true
		}
	}
	return "", nil, "", false
}
