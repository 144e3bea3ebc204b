// Command gen rebuilds the embedded CloudFormation resource knowledge
// (types.tsv.gz) from the CloudFormation registry database that the npm
// package @aws-cdk/aws-service-spec ships as db.json.gz (Apache-2.0).
//
// Run through go generate in internal/iac/spec:
//
//	go run ./internal/gen -version 0.1.216 -out types.tsv.gz
//
// It fetches the package with `npm pack` unless -db names a local
// db.json.gz, so a rebuild is reproducible from the pinned version alone.
package main

import (
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

const packageName = "@aws-cdk/aws-service-spec"

func main() {
	version := flag.String("version", "", "package version to fetch with npm pack (required)")
	dbPath := flag.String("db", "", "use this db.json.gz instead of fetching the package")
	out := flag.String("out", "types.tsv.gz", "output file")
	flag.Parse()
	if *version == "" {
		log.Fatal("gen: -version is required: the output records its source version")
	}
	path := *dbPath
	if path == "" {
		dir, err := os.MkdirTemp("", "iamguard-spec")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
		path, err = fetch(dir, *version)
		if err != nil {
			log.Fatal(err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		log.Fatalf("gen: %s: %v", path, err)
	}
	types, err := Convert(zr)
	if err != nil {
		log.Fatalf("gen: %s: %v", path, err)
	}
	tmp := *out + ".tmp"
	w, err := os.Create(tmp)
	if err != nil {
		log.Fatal(err)
	}
	if err := Write(w, *version, types); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.Rename(tmp, *out); err != nil {
		log.Fatal(err)
	}
}

// fetch downloads the pinned package tarball with npm and extracts db.json.gz.
func fetch(dir, version string) (string, error) {
	cmd := exec.Command("npm", "pack", "--silent", packageName+"@"+version)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	name, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("npm pack %s@%s: %w", packageName, version, err)
	}
	tarball := strings.TrimSpace(string(name))
	untar := exec.Command("tar", "xzf", tarball, "package/db.json.gz")
	untar.Dir = dir
	untar.Stderr = os.Stderr
	if err := untar.Run(); err != nil {
		return "", fmt.Errorf("extract %s: %w", tarball, err)
	}
	return filepath.Join(dir, "package", "db.json.gz"), nil
}

// Type is what iamguard keeps of one CloudFormation resource type.
type Type struct {
	Name        string
	TagProperty string
	TagStyle    string // list, map, asg, json; "" when not taggable
	ARNTemplate string
	Identifier  []string
	Properties  []string
}

type dbType struct {
	Kind    string          `json:"type"`
	Element json.RawMessage `json:"element"`
}

type dbResource struct {
	CloudFormationType string   `json:"cloudFormationType"`
	PrimaryIdentifier  []string `json:"primaryIdentifier"`
	ARNTemplate        string   `json:"arnTemplate"`
	TagInformation     *struct {
		TagPropertyName string `json:"tagPropertyName"`
		Variant         string `json:"variant"`
	} `json:"tagInformation"`
	Properties map[string]struct {
		Type dbType `json:"type"`
	} `json:"properties"`
}

// Convert reads the database JSON and returns the resource types sorted by name.
func Convert(r io.Reader) ([]Type, error) {
	var db struct {
		Schema struct {
			Resource struct {
				Entities []dbResource `json:"entities"`
			} `json:"resource"`
		} `json:"schema"`
	}
	if err := json.NewDecoder(r).Decode(&db); err != nil {
		return nil, err
	}
	if len(db.Schema.Resource.Entities) == 0 {
		return nil, fmt.Errorf("no resource entities: has the database layout changed?")
	}
	var out []Type
	for _, e := range db.Schema.Resource.Entities {
		if e.CloudFormationType == "" {
			continue
		}
		t := Type{Name: e.CloudFormationType, ARNTemplate: e.ARNTemplate, Identifier: e.PrimaryIdentifier}
		for p := range e.Properties {
			t.Properties = append(t.Properties, p)
		}
		sort.Strings(t.Properties)
		if ti := e.TagInformation; ti != nil && ti.TagPropertyName != "" {
			t.TagProperty = ti.TagPropertyName
			t.TagStyle = tagStyle(ti.Variant, e.Properties[ti.TagPropertyName].Type)
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	for i := 1; i < len(out); i++ {
		if out[i].Name == out[i-1].Name {
			return nil, fmt.Errorf("duplicate resource type %s", out[i].Name)
		}
	}
	return out, nil
}

// tagStyle names how the tag property is written: a list of Key/Value
// objects, a map, the Auto Scaling list with PropagateAtLaunch, or free
// JSON (either shape).
func tagStyle(variant string, t dbType) string {
	switch {
	case variant == "asg":
		return "asg"
	case t.Kind == "map":
		return "map"
	case t.Kind == "array":
		return "list"
	case t.Kind == "json":
		return "json"
	case variant == "map":
		return "map"
	}
	return "list"
}

// Write renders the types as gzipped tab-separated lines after a header
// naming the source; fields holding lists are comma-separated.
func Write(w io.Writer, version string, types []Type) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	fmt.Fprintf(zw, "# source %s %s (Apache-2.0)\n", packageName, version)
	for _, t := range types {
		fmt.Fprintf(zw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, t.TagProperty, t.TagStyle, t.ARNTemplate,
			strings.Join(t.Identifier, ","), strings.Join(t.Properties, ","))
	}
	return zw.Close()
}
