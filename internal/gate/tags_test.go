package gate

import "testing"

// TestTaggableFollowsTheRegistry: whether the gate injects tags comes from
// the embedded CloudFormation registry, with managed policies (created
// through IAM's CreatePolicy, which takes tags) as the one exception.
func TestTaggableFollowsTheRegistry(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"AWS::S3::Bucket":         true,
		"AWS::IAM::Role":          true,
		"AWS::IAM::ManagedPolicy": true,
		"AWS::IAM::Policy":        false,
		"AWS::Lambda::Permission": false,
		"AWS::S3::BucketPolicy":   false,
		"AWS::Serverless::Api":    true, // SAM: not in the registry, fallback list
	}
	for typ, want := range cases {
		if got := Taggable(typ); got != want {
			t.Errorf("Taggable(%s) = %v, want %v", typ, got, want)
		}
	}
	if !tagsAsMap("AWS::SSM::Parameter") || tagsAsMap("AWS::S3::Bucket") {
		t.Error("SSM parameters take a tag map, buckets a list")
	}
}
