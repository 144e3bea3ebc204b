// Package spec is iamguard's knowledge of CloudFormation resource types:
// which types are taggable and through which property (a list of Key/Value
// objects, a map, or the Auto Scaling list), their top-level property names,
// primary identifiers and ARN templates. It is generated from the
// CloudFormation registry database shipped in the npm package
// @aws-cdk/aws-service-spec (Apache-2.0) by ./internal/gen, and embedded.
// Terraform AWS provider types map onto CloudFormation types through a
// curated table (terraform.go).
package spec

//go:generate go run ./internal/gen -version 0.1.216 -out types.tsv.gz

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
)

//go:embed types.tsv.gz
var typesGz []byte

// TagStyle is how a type's tag property is written.
type TagStyle string

const (
	// TagsNone: the type cannot be tagged.
	TagsNone TagStyle = ""
	// TagsList: [{Key: k, Value: v}, …].
	TagsList TagStyle = "list"
	// TagsMap: {k: v, …}.
	TagsMap TagStyle = "map"
	// TagsASG: [{Key, Value, PropagateAtLaunch}, …] (AWS::AutoScaling::AutoScalingGroup).
	TagsASG TagStyle = "asg"
	// TagsJSON: free JSON; either the list or the map shape is accepted.
	TagsJSON TagStyle = "json"
)

// Type is one CloudFormation resource type.
type Type struct {
	Name string // e.g. "AWS::S3::Bucket"
	// TagProperty is the property that holds tags ("Tags", "UserPoolTags",
	// …); empty when the type is not taggable.
	TagProperty string
	TagStyle    TagStyle
	// ARNTemplate uses ${Partition}, ${Region}, ${Account} and identifier
	// placeholders; empty when the registry gives none.
	ARNTemplate string
	Identifier  []string // primary identifier properties
	Properties  []string // top-level property names, sorted
}

// Taggable reports whether resources of this type carry tags.
func (t *Type) Taggable() bool { return t != nil && t.TagProperty != "" }

// HasProperty reports whether name is one of the type's top-level properties.
func (t *Type) HasProperty(name string) bool {
	_, ok := slices.BinarySearch(t.Properties, name)
	return ok
}

// Database is the decoded embedded data.
type Database struct {
	// Source is the package and version the data was generated from.
	Source string
	types  map[string]*Type
	names  []string
}

var load = sync.OnceValues(func() (*Database, error) { return decode(typesGz) })

// Load returns the embedded database, decoding it on first use.
func Load() *Database {
	db, err := load()
	if err != nil {
		// The data is generated and tested; failing to decode it is a build defect.
		panic("spec: embedded data is corrupt: " + err.Error())
	}
	return db
}

// Lookup returns the CloudFormation type named name (e.g. "AWS::S3::Bucket").
func Lookup(name string) (*Type, bool) {
	t, ok := Load().types[name]
	return t, ok
}

// Names returns every known CloudFormation type name, sorted.
func (db *Database) Names() []string { return slices.Clone(db.names) }

// Len is the number of known types.
func (db *Database) Len() int { return len(db.names) }

func decode(gz []byte) (*Database, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	db := &Database{types: make(map[string]*Type, 2048)}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if src, ok := strings.CutPrefix(text, "# source "); ok {
			db.Source = src
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) != 6 {
			return nil, fmt.Errorf("line %d: %d fields, want 6", line, len(f))
		}
		t := &Type{Name: f[0], TagProperty: f[1], TagStyle: TagStyle(f[2]), ARNTemplate: f[3]}
		if f[4] != "" {
			t.Identifier = strings.Split(f[4], ",")
		}
		if f[5] != "" {
			t.Properties = strings.Split(f[5], ",")
		}
		db.types[t.Name] = t
		db.names = append(db.names, t.Name)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if db.Source == "" {
		return nil, fmt.Errorf("no source header")
	}
	return db, zr.Close()
}
