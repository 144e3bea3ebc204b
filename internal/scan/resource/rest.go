package resource

import (
	"fmt"
	"strings"

	"github.com/iamguard/iamguard/internal/iac"
)

// Encryption at rest (seed 001: "S3 AES-256 or KMS at rest; RDS: enable
// encryption for databases; Secrets Manager: automatic KMS encryption").
func restRules() []Rule {
	return []Rule{
		{
			Code: "RDS_STORAGE_UNENCRYPTED", Severity: "security",
			Why:   "RDS, Aurora, DocumentDB and Neptune storage is unencrypted unless StorageEncrypted is true, and it cannot be turned on after creation.",
			Fix:   "Set StorageEncrypted: true (Terraform: storage_encrypted = true), optionally with KmsKeyId (kms_key_id) for a customer managed key.",
			check: checkRDSEncrypted,
		},
		{
			Code: "EBS_UNENCRYPTED", Severity: "security",
			Why:   "EBS volumes, and the volumes instances and launch templates create, are unencrypted unless Encrypted is true (or the account enables EBS encryption by default, which a template cannot show).",
			Fix:   "Set Encrypted: true on the volume or block device mapping (Terraform: encrypted = true).",
			check: checkEBSEncrypted,
		},
		{
			Code: "EFS_UNENCRYPTED", Severity: "security",
			Why:   "An EFS file system created through CloudFormation or Terraform is unencrypted unless Encrypted is true, and encryption cannot be added later.",
			Fix:   "Set Encrypted: true (Terraform: encrypted = true), optionally with KmsKeyId (kms_key_id).",
			check: checkEFSEncrypted,
		},
		{
			Code: "SQS_UNENCRYPTED", Severity: "security",
			Why:   "A queue with SqsManagedSseEnabled false and no KMS key stores messages unencrypted.",
			Fix:   "Remove SqsManagedSseEnabled: false, or set KmsMasterKeyId (Terraform: kms_master_key_id) to a KMS key.",
			check: checkSQSEncrypted,
		},
		{
			Code: "SNS_UNENCRYPTED", Severity: "security",
			Why:   "SNS topics are not encrypted at rest unless a KMS key is set.",
			Fix:   "Set KmsMasterKeyId (Terraform: kms_master_key_id), e.g. alias/aws/sns or a customer managed key.",
			check: checkSNSEncrypted,
		},
		{
			Code: "DYNAMODB_SSE_AWS_OWNED_KEY", Severity: "suggestion",
			Why:   "Without SSESpecification.SSEEnabled, a table is encrypted with an AWS owned key that you cannot audit in CloudTrail or restrict with a key policy.",
			Fix:   "Set SSESpecification: {SSEEnabled: true} (Terraform: server_side_encryption { enabled = true }), optionally with a customer managed key.",
			check: checkDynamoDBSSE,
		},
		{
			Code: "SECRET_DEFAULT_KMS_KEY", Severity: "suggestion",
			Why:   "A secret without KmsKeyId uses the aws/secretsmanager key: it cannot be shared across accounts, and its key policy cannot be tightened.",
			Fix:   "Set KmsKeyId (Terraform: kms_key_id) to a customer managed KMS key.",
			check: checkSecretKMS,
		},
		{
			Code: "LOG_GROUP_NOT_KMS", Severity: "suggestion",
			Why:   "Log groups are encrypted with a service key unless KmsKeyId is set; logs often carry request data that deserves a key you control.",
			Fix:   "Set KmsKeyId (Terraform: kms_key_id) to a KMS key ARN whose key policy allows the logs service.",
			check: checkLogGroupKMS,
		},
		{
			Code: "S3_ENCRYPTION_DOWNGRADE", Severity: "security",
			Why:   "S3 encrypts every new object by default (SSE-S3); a default encryption rule that names anything but AES256, aws:kms or aws:kms:dsse is a mistake or an attempt to weaken it.",
			Fix:   "Set SSEAlgorithm (Terraform: sse_algorithm) to aws:kms, aws:kms:dsse or AES256.",
			check: checkS3Downgrade,
		},
		{
			Code: "S3_KMS_REQUIRED", Severity: "security",
			Why:    "The organisation requires S3 buckets to encrypt with KMS keys (encryption.s3RequireKMS), for key policies and CloudTrail records of every decrypt.",
			Fix:    "Add a default encryption rule with SSEAlgorithm aws:kms and a KMSMasterKeyID (Terraform: aws_s3_bucket_server_side_encryption_configuration with sse_algorithm = \"aws:kms\").",
			Config: "encryption.s3RequireKMS",
			check:  checkS3KMS,
		},
	}
}

func checkRDSEncrypted(c *checker, r *iac.Resource) {
	switch {
	case is(r, "AWS::RDS::DBInstance", "aws_db_instance"):
		if r.SourceType == "aws_rds_cluster_instance" {
			return // encryption is the cluster's
		}
		for _, p := range []string{"DBClusterIdentifier", "SourceDBInstanceIdentifier", "DBSnapshotIdentifier", "replicate_source_db", "snapshot_identifier"} {
			if set(r.Get(p)) {
				return // an Aurora member, a replica or a restore inherits its source's encryption
			}
		}
		if engine, _ := iac.String(r.Get(pick(r, "Engine", "engine"))); strings.HasPrefix(engine, "aurora") {
			return
		}
	case is(r, "AWS::RDS::DBCluster", "AWS::DocDB::DBCluster", "AWS::Neptune::DBCluster", "aws_rds_cluster", "aws_docdb_cluster", "aws_neptune_cluster"):
		if mode, _ := iac.String(r.Get(pick(r, "EngineMode", "engine_mode"))); mode == "serverless" {
			return // Aurora Serverless v1 is always encrypted
		}
		for _, p := range []string{"SnapshotIdentifier", "SourceDBClusterIdentifier", "snapshot_identifier", "replication_source_identifier"} {
			if set(r.Get(p)) {
				return
			}
		}
	default:
		return
	}
	c.requireTrue(r, pick(r, "StorageEncrypted", "storage_encrypted"), "the database storage, its backups and snapshots are unencrypted")
}

func checkEBSEncrypted(c *checker, r *iac.Resource) {
	const what = "the volume is unencrypted"
	switch {
	case is(r, "AWS::EC2::Volume", "aws_ebs_volume"):
		if set(r.Get(pick(r, "SnapshotId", "snapshot_id"))) {
			return // takes the snapshot's encryption
		}
		c.requireTrue(r, pick(r, "Encrypted", "encrypted"), what)
	case is(r, "AWS::EC2::LaunchTemplate", "aws_launch_template"):
		mappings(c, r, pick(r, "LaunchTemplateData.BlockDeviceMappings[]", "block_device_mappings[]"), pick(r, "Ebs", "ebs[]"))
	case is(r, "AWS::EC2::Instance", "AWS::AutoScaling::LaunchConfiguration", "aws_instance", "aws_launch_configuration"):
		if r.Dialect() == iac.DialectTF {
			for _, b := range []string{"root_block_device[]", "ebs_block_device[]"} {
				for _, m := range r.Lookup(b) {
					ebsEncrypted(c, r, m)
				}
			}
			return
		}
		mappings(c, r, "BlockDeviceMappings[]", "Ebs")
	}
}

func mappings(c *checker, r *iac.Resource, list, ebs string) {
	for _, bdm := range r.Lookup(list) {
		for _, m := range lookupIn(bdm, ebs) {
			ebsEncrypted(c, r, m)
		}
	}
}

func ebsEncrypted(c *checker, r *iac.Resource, m iac.Match) {
	if set(m.Node.Get(pick(r, "SnapshotId", "snapshot_id"))) {
		return
	}
	key := pick(r, "Encrypted", "encrypted")
	v := m.Node.Get(key)
	if v == nil {
		c.report(r, m.Node, m.Path, fmt.Sprintf("%s: block device at %s does not set %s, so the volume is unencrypted", describe(r), m.Path, key), "")
		return
	}
	if b, ok := iac.Bool(v); ok && !b {
		c.report(r, v, m.Path+"."+key, fmt.Sprintf("%s: block device %s is false, so the volume is unencrypted", describe(r), key), "")
	}
}

// lookupIn walks path from a match (same syntax as Resource.Lookup).
func lookupIn(m iac.Match, path string) []iac.Match {
	r := iac.Resource{Props: m.Node, Path: m.Path}
	return r.Lookup(path)
}

func checkEFSEncrypted(c *checker, r *iac.Resource) {
	if is(r, "AWS::EFS::FileSystem", "aws_efs_file_system") {
		c.requireTrue(r, pick(r, "Encrypted", "encrypted"), "files are stored unencrypted")
	}
}

func checkSQSEncrypted(c *checker, r *iac.Resource) {
	if !is(r, "AWS::SQS::Queue", "aws_sqs_queue") {
		return
	}
	if set(r.Get(pick(r, "KmsMasterKeyId", "kms_master_key_id"))) {
		return
	}
	key := pick(r, "SqsManagedSseEnabled", "sqs_managed_sse_enabled")
	if v := r.Get(key); v != nil {
		if b, ok := iac.Bool(v); ok && !b {
			c.report(r, v, joinPath(r.Path, key), describe(r)+": "+key+" is false and no KMS key is set, so messages are stored unencrypted", "")
		}
	}
}

func checkSNSEncrypted(c *checker, r *iac.Resource) {
	if !is(r, "AWS::SNS::Topic", "aws_sns_topic") {
		return
	}
	if !set(r.Get(pick(r, "KmsMasterKeyId", "kms_master_key_id"))) {
		c.report(r, nil, "", describe(r)+": no "+pick(r, "KmsMasterKeyId", "kms_master_key_id")+", so messages are stored unencrypted", "")
	}
}

func checkDynamoDBSSE(c *checker, r *iac.Resource) {
	if !is(r, "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "aws_dynamodb_table") {
		return
	}
	c.requireTrue(r, pick(r, "SSESpecification.SSEEnabled", "server_side_encryption[].enabled"), "the table is encrypted with an AWS owned key you cannot control")
}

func checkSecretKMS(c *checker, r *iac.Resource) {
	if is(r, "AWS::SecretsManager::Secret", "aws_secretsmanager_secret") && !set(r.Get(pick(r, "KmsKeyId", "kms_key_id"))) {
		c.report(r, nil, "", describe(r)+": no "+pick(r, "KmsKeyId", "kms_key_id")+", so the secret uses the aws/secretsmanager key", "")
	}
}

func checkLogGroupKMS(c *checker, r *iac.Resource) {
	if is(r, "AWS::Logs::LogGroup", "aws_cloudwatch_log_group") && !set(r.Get(pick(r, "KmsKeyId", "kms_key_id"))) {
		c.report(r, nil, "", describe(r)+": no "+pick(r, "KmsKeyId", "kms_key_id")+", so logs are encrypted with a service key you do not control", "")
	}
}

// s3Algorithms returns the default-encryption algorithm settings of a bucket.
func s3Algorithms(r *iac.Resource) []iac.Match {
	return r.Lookup(pick(r,
		"BucketEncryption.ServerSideEncryptionConfiguration[].ServerSideEncryptionByDefault.SSEAlgorithm",
		"server_side_encryption_configuration[].rule[].apply_server_side_encryption_by_default[].sse_algorithm"))
}

func isBucket(r *iac.Resource) bool { return is(r, "AWS::S3::Bucket", "aws_s3_bucket") }

func checkS3Downgrade(c *checker, r *iac.Resource) {
	if !isBucket(r) {
		return
	}
	for _, m := range s3Algorithms(r) {
		alg, ok := iac.String(m.Node)
		if !ok {
			continue
		}
		switch alg {
		case "AES256", "aws:kms", "aws:kms:dsse":
			continue
		}
		c.report(r, m.Node, m.Path, fmt.Sprintf("%s: default encryption algorithm %q is not one S3 encrypts with", describe(r), alg), "")
	}
}

func checkS3KMS(c *checker, r *iac.Resource) {
	if !isBucket(r) || !c.s.cfg.Encryption.S3RequireKMS {
		return
	}
	algs := s3Algorithms(r)
	if len(algs) == 0 {
		c.report(r, nil, "", describe(r)+": no default encryption rule, so objects get SSE-S3 (AES256) and the organisation requires KMS", "")
		return
	}
	for _, m := range algs {
		if alg, ok := iac.String(m.Node); ok && alg != "aws:kms" && alg != "aws:kms:dsse" {
			c.report(r, m.Node, m.Path, fmt.Sprintf("%s: default encryption is %s and the organisation requires aws:kms", describe(r), alg), "")
		}
	}
}
