package resource

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/iamguard/iamguard/internal/iac"
	"github.com/iamguard/iamguard/node"
)

// Exposure to the internet.
func exposureRules() []Rule {
	return []Rule{
		{
			Code: "S3_PUBLIC_ACCESS_BLOCK_DISABLED", Severity: "security",
			Why:   "New buckets block public access by default; a PublicAccessBlockConfiguration that leaves any of the four settings off turns that protection down.",
			Fix:   "Set BlockPublicAcls, BlockPublicPolicy, IgnorePublicAcls and RestrictPublicBuckets to true (Terraform: aws_s3_bucket_public_access_block with all four = true), or remove the block to keep the default.",
			check: checkPublicAccessBlock,
		},
		{
			Code: "S3_PUBLIC_ACL", Severity: "security",
			Why:   "A canned ACL such as PublicRead, or a grant to AllUsers or AuthenticatedUsers, lets anyone on the internet read (or write) the bucket.",
			Fix:   "Remove AccessControl (Terraform: acl / the aws_s3_bucket_acl) and serve public content through CloudFront with origin access control.",
			check: checkPublicACL,
		},
		{
			Code: "S3_POLICY_PUBLIC", Severity: "security",
			Why:   `A bucket policy statement that allows Principal "*" without a condition on the caller's account, organisation, VPC or source lets anyone use the granted actions.`,
			Fix:   "Name the principals (account or role ARNs), or add a condition such as aws:PrincipalOrgID, aws:SourceArn or aws:SourceVpce.",
			check: checkPublicBucketPolicy,
		},
		{
			Code: "SG_OPEN_ADMIN_PORT", Severity: "security",
			Why:   "A security group that admits 0.0.0.0/0 or ::/0 on an administrative or database port (SSH, RDP, MySQL, PostgreSQL, SQL Server, MongoDB, Redis, Elasticsearch, …) exposes it to internet-wide scanning and brute force.",
			Fix:   "Restrict the source to known CIDRs or a security group, or reach the host through SSM Session Manager or a bastion instead.",
			check: checkOpenPorts,
		},
		{
			Code: "RDS_PUBLICLY_ACCESSIBLE", Severity: "security",
			Why:   "PubliclyAccessible gives the database a public DNS name and address reachable from the internet.",
			Fix:   "Set PubliclyAccessible: false (Terraform: publicly_accessible = false) and connect from inside the VPC.",
			check: checkRDSPublic,
		},
	}
}

func checkPublicAccessBlock(c *checker, r *iac.Resource) {
	var blocks []iac.Match
	var keys []string
	switch {
	case isCFN(r, "AWS::S3::Bucket"):
		blocks = r.Lookup("PublicAccessBlockConfiguration")
		keys = []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"}
	case is(r, "aws_s3_bucket_public_access_block"):
		blocks = []iac.Match{{Node: r.Props, Path: r.Path}}
		keys = []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"}
	default:
		return
	}
	for _, b := range blocks {
		if !iac.IsKnown(b.Node) || b.Node.Kind != node.Object {
			continue
		}
		var off []string
		var first *node.Node
		for _, k := range keys {
			v := b.Node.Get(k)
			if v == nil {
				off = append(off, k) // omitted settings default to false
				continue
			}
			if on, ok := iac.Bool(v); ok && !on {
				off = append(off, k)
				if first == nil {
					first = v
				}
			}
		}
		if len(off) == 0 {
			continue
		}
		at := first
		if at == nil {
			at = b.Node
		}
		c.report(r, at, b.Path, fmt.Sprintf("%s: public access block leaves %s off", describe(r), strings.Join(off, ", ")), "")
	}
}

var publicCannedACLs = map[string]bool{
	"PublicRead": true, "PublicReadWrite": true, "AuthenticatedRead": true,
	"public-read": true, "public-read-write": true, "authenticated-read": true,
}

func checkPublicACL(c *checker, r *iac.Resource) {
	var acls []iac.Match
	switch {
	case isCFN(r, "AWS::S3::Bucket"):
		acls = r.Lookup("AccessControl")
	case is(r, "aws_s3_bucket"):
		if r.Get("acl") != nil && !hasChild(r, "aws_s3_bucket_acl") {
			acls = r.Lookup("acl")
		}
	case is(r, "aws_s3_bucket_acl"):
		acls = r.Lookup("acl")
		for _, g := range r.Lookup("access_control_policy[].grant[].grantee[]") {
			uri := g.Node.Get("uri")
			if s, ok := iac.String(uri); ok && (strings.HasSuffix(s, "/AllUsers") || strings.HasSuffix(s, "/AuthenticatedUsers")) {
				c.report(r, uri, g.Path+".uri", fmt.Sprintf("%s: grants access to %s", describe(r), s[strings.LastIndexByte(s, '/')+1:]), "")
			}
		}
	default:
		return
	}
	for _, m := range acls {
		if s, ok := iac.String(m.Node); ok && publicCannedACLs[s] {
			c.report(r, m.Node, m.Path, fmt.Sprintf("%s: canned ACL %s makes the bucket public", describe(r), s), "")
		}
	}
}

func hasChild(r *iac.Resource, sourceType string) bool {
	for _, ch := range r.Children {
		if ch.SourceType == sourceType {
			return true
		}
	}
	return false
}

// restrictingKeys are condition keys that tie a public principal to known
// callers.
var restrictingKeys = []string{
	"aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths",
	"aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn",
	"aws:sourcevpc", "aws:sourcevpce", "aws:sourceip", "aws:userid", "aws:username",
}

func checkPublicBucketPolicy(c *checker, r *iac.Resource) {
	var docs []iac.Match
	switch {
	case isCFN(r, "AWS::S3::BucketPolicy"):
		if doc := iac.PolicyDocument(r.Get("PolicyDocument")); doc != nil {
			docs = append(docs, iac.Match{Node: doc, Path: r.Path + ".PolicyDocument"})
		}
	case is(r, "aws_s3_bucket_policy"), is(r, "aws_s3_bucket") && !hasChild(r, "aws_s3_bucket_policy"):
		if doc := iac.PolicyDocument(r.Get("policy")); doc != nil {
			docs = append(docs, iac.Match{Node: doc, Path: r.Path + ".policy"})
		}
	}
	for _, d := range docs {
		for i, st := range statements(d.Node) {
			if eff, _ := iac.String(st.Get("Effect")); eff != "Allow" || !publicPrincipal(st.Get("Principal")) || restricted(st.Get("Condition")) {
				continue
			}
			path := fmt.Sprintf("%s.Statement[%d].Principal", d.Path, i)
			if d.Node.Get("Statement").Kind != node.Array {
				path = d.Path + ".Statement.Principal"
			}
			c.report(r, st.Get("Principal"), path, describe(r)+`: bucket policy allows Principal "*" with no condition that limits who can call`, "")
		}
	}
}

func publicPrincipal(p *node.Node) bool {
	if p == nil {
		return false
	}
	if s, ok := iac.String(p); ok {
		return s == "*"
	}
	if p.Kind == node.Object {
		return slices.Contains(scalars(p.Get("AWS")), "*")
	}
	return false
}

func restricted(cond *node.Node) bool {
	if cond == nil || cond.Kind != node.Object {
		return false
	}
	for _, op := range cond.Fields {
		for _, kv := range op.Value.Fields {
			if slices.Contains(restrictingKeys, strings.ToLower(kv.Key)) {
				return true
			}
		}
	}
	return false
}

// adminPorts are administrative and database ports that must never face
// the whole internet.
var adminPorts = []struct {
	port int
	name string
}{
	{20, "FTP data"}, {21, "FTP"}, {22, "SSH"}, {23, "Telnet"}, {135, "MS RPC"}, {139, "NetBIOS"},
	{445, "SMB"}, {1433, "SQL Server"}, {1521, "Oracle"}, {2049, "NFS"}, {2375, "Docker"}, {2376, "Docker TLS"},
	{3306, "MySQL"}, {3389, "RDP"}, {5432, "PostgreSQL"}, {5601, "Kibana"}, {5900, "VNC"}, {5984, "CouchDB"},
	{6379, "Redis"}, {7000, "Cassandra"}, {8020, "HDFS"}, {9042, "Cassandra"}, {9092, "Kafka"},
	{9200, "Elasticsearch"}, {9300, "Elasticsearch"}, {11211, "Memcached"}, {27017, "MongoDB"}, {27018, "MongoDB"},
}

// ingressRule is one ingress permission, whatever its syntax.
type ingressRule struct {
	at       iac.Match // where to report
	protocol string
	from, to int
	sources  []iac.Match // CIDRs
}

func checkOpenPorts(c *checker, r *iac.Resource) {
	for _, rule := range ingressRules(r) {
		var world []iac.Match
		for _, src := range rule.sources {
			if s, ok := iac.String(src.Node); ok && isWholeInternet(s) {
				world = append(world, src)
			}
		}
		if len(world) == 0 {
			continue
		}
		var exposed []string
		switch strings.ToLower(rule.protocol) {
		case "-1", "all":
			exposed = []string{"all ports"}
		case "tcp", "6":
			for _, p := range adminPorts {
				if p.port >= rule.from && p.port <= rule.to {
					exposed = append(exposed, strconv.Itoa(p.port)+" ("+p.name+")")
				}
			}
		}
		if len(exposed) == 0 {
			continue
		}
		cidr, _ := iac.String(world[0].Node)
		c.report(r, world[0].Node, world[0].Path, fmt.Sprintf("%s: ingress from %s on %s", describe(r), cidr, strings.Join(exposed, ", ")), "")
	}
}

func isWholeInternet(cidr string) bool {
	p, err := netip.ParsePrefix(strings.TrimSpace(cidr))
	return err == nil && p.Bits() == 0
}

func ingressRules(r *iac.Resource) []ingressRule {
	var out []ingressRule
	portOf := func(n *node.Node, def int) int {
		if v, ok := iac.Int(n); ok {
			return v
		}
		return def
	}
	add := func(m iac.Match, proto, from, to string, cidrs ...string) {
		p, _ := iac.String(m.Node.Get(proto))
		rule := ingressRule{at: m, protocol: p, from: portOf(m.Node.Get(from), 0), to: portOf(m.Node.Get(to), 65535)}
		if rule.from < 0 { // -1 means all ports in some APIs
			rule.from, rule.to = 0, 65535
		}
		for _, key := range cidrs {
			for _, src := range lookupIn(m, key) {
				if src.Node.Kind == node.Array {
					for i, item := range src.Node.Items {
						rule.sources = append(rule.sources, iac.Match{Node: item, Path: src.Path + "[" + strconv.Itoa(i) + "]"})
					}
					continue
				}
				rule.sources = append(rule.sources, src)
			}
		}
		out = append(out, rule)
	}
	self := iac.Match{Node: r.Props, Path: r.Path}
	switch {
	case isCFN(r, "AWS::EC2::SecurityGroup"):
		for _, m := range r.Lookup("SecurityGroupIngress[]") {
			add(m, "IpProtocol", "FromPort", "ToPort", "CidrIp", "CidrIpv6")
		}
	case isCFN(r, "AWS::EC2::SecurityGroupIngress"):
		add(self, "IpProtocol", "FromPort", "ToPort", "CidrIp", "CidrIpv6")
	case is(r, "aws_security_group"):
		for _, m := range r.Lookup("ingress[]") {
			add(m, "protocol", "from_port", "to_port", "cidr_blocks", "ipv6_cidr_blocks")
		}
	case is(r, "aws_security_group_rule"):
		if t, _ := iac.String(r.Get("type")); t == "ingress" {
			add(self, "protocol", "from_port", "to_port", "cidr_blocks", "ipv6_cidr_blocks")
		}
	case is(r, "aws_vpc_security_group_ingress_rule"):
		add(self, "ip_protocol", "from_port", "to_port", "cidr_ipv4", "cidr_ipv6")
	}
	return out
}

func checkRDSPublic(c *checker, r *iac.Resource) {
	if !is(r, "AWS::RDS::DBInstance", "aws_db_instance", "aws_rds_cluster_instance") {
		return
	}
	key := pick(r, "PubliclyAccessible", "publicly_accessible")
	if v := r.Get(key); v != nil {
		if b, ok := iac.Bool(v); ok && b {
			c.report(r, v, joinPath(r.Path, key), describe(r)+": the database is reachable from the internet", "")
		}
	}
}
