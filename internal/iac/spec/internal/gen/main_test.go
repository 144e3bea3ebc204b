package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
)

const tinyDB = `{"schema":{"resource":{"entities":[
 {"cloudFormationType":"AWS::S3::Bucket","primaryIdentifier":["BucketName"],"arnTemplate":"arn:${Partition}:s3:::${BucketName}",
  "tagInformation":{"tagPropertyName":"Tags","variant":"standard"},
  "properties":{"Tags":{"type":{"type":"array","element":{"type":"tag"}}},"BucketName":{"type":{"type":"string"}}}},
 {"cloudFormationType":"AWS::SSM::Parameter","properties":{"Tags":{"type":{"type":"map"}},"Name":{"type":{"type":"string"}}},
  "tagInformation":{"tagPropertyName":"Tags","variant":"map"}},
 {"cloudFormationType":"AWS::S3::BucketPolicy","properties":{"PolicyDocument":{"type":{"type":"json"}}}}
]}}}`

func TestConvertAndWrite(t *testing.T) {
	t.Parallel()
	types, err := Convert(strings.NewReader(tinyDB))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, "9.9.9", types); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(zr)
	want := "# source @aws-cdk/aws-service-spec 9.9.9 (Apache-2.0)\n" +
		"AWS::S3::Bucket\tTags\tlist\tarn:${Partition}:s3:::${BucketName}\tBucketName\tBucketName,Tags\n" +
		"AWS::S3::BucketPolicy\t\t\t\t\tPolicyDocument\n" +
		"AWS::SSM::Parameter\tTags\tmap\t\t\tName,Tags\n"
	if string(got) != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

func TestConvertRejectsUnknownLayout(t *testing.T) {
	t.Parallel()
	if _, err := Convert(strings.NewReader(`{"schema":{}}`)); err == nil {
		t.Error("want an error for a database without resources")
	}
}
