package fromcode

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/iamguard/iamguard/internal/generate/sdkmap"
)

// pyKind is what a Python value is, as far as the analysis follows it.
type pyKind uint8

const (
	pyUnknown    pyKind = iota
	pyBoto3             // the boto3 module (or boto3.session)
	pyFnClient          // boto3.client / session.client
	pyFnResource        // boto3.resource / session.resource
	pyFnSession         // boto3.Session
	pySession           // a Session
	pyClient            // a client of service
	pyResource          // a service resource of service
	pySub               // a sub-resource (Bucket, Object, Table, Queue, Topic) or objects collection
	pyPaginator         // client.get_paginator('op')
	pyMethod            // a bound method waiting for its call
)

type pyVal struct {
	kind    pyKind
	service string
	sub     string // Bucket, Object, Table, Queue, Topic, objects
	op      string // paginator operation
	fields  sdkmap.Fields
	recv    *pyVal // for pyMethod: the receiver
	method  string // for pyMethod
	form    string // how it was written, for evidence
}

type pyAnalyzer struct {
	file    string
	toks    []tok
	m       *sdkmap.Map
	vars    map[string]pyVal
	consts  map[string]string
	regions map[string]string
	calls   []Call
	warns   []Warning
	imports bool
	ops     opMemo                   // service + " " + operation → known
	dicts   map[string]sdkmap.Fields // dict literals assigned to names, for **kwargs
}

func (a *pyAnalyzer) hasOp(service, op string) bool { return a.ops.has(a.m, service, op) }

// AnalyzePython finds boto3 calls in Python source.
func AnalyzePython(file string, src []byte, m *sdkmap.Map) ([]Call, []Warning) {
	if !bytes.Contains(src, []byte("boto3")) {
		return nil, nil // no SDK import: nothing to tokenize
	}
	a := &pyAnalyzer{file: file, toks: TokenizePython(src), m: m, vars: map[string]pyVal{}, consts: map[string]string{}, regions: map[string]string{}, ops: opMemo{}, dicts: map[string]sdkmap.Fields{}}
	a.walk()
	if !a.imports {
		return nil, nil
	}
	for i := range a.calls {
		if a.calls[i].Region == "" {
			a.calls[i].Region = a.regions[a.calls[i].Service]
		}
	}
	return a.calls, a.warns
}

func (a *pyAnalyzer) tok(i int) tok {
	if i < 0 || i >= len(a.toks) {
		return tok{Kind: tNewline}
	}
	return a.toks[i]
}

func (a *pyAnalyzer) is(i int, text string) bool {
	t := a.tok(i)
	return (t.Kind == tPunct || t.Kind == tIdent) && t.Text == text
}

func (a *pyAnalyzer) lineStart(i int) bool {
	return i == 0 || a.tok(i-1).Kind == tNewline || a.is(i-1, ":") || a.is(i-1, ";")
}

func (a *pyAnalyzer) walk() {
	for i := 0; i < len(a.toks); i++ {
		t := a.toks[i]
		if t.Kind != tIdent || a.is(i-1, ".") {
			continue
		}
		switch {
		case t.Text == "import" && a.lineStart(i):
			// import boto3 [as b3], import boto3.session
			j := i + 1
			for a.tok(j).Kind == tIdent {
				name := a.tok(j).Text
				k := j + 1
				for a.is(k, ".") && a.tok(k+1).Kind == tIdent {
					k += 2
				}
				local := name
				if a.is(k, "as") {
					local = a.tok(k + 1).Text
					k += 2
				}
				if name == "boto3" {
					a.imports = true
					a.vars[local] = pyVal{kind: pyBoto3}
				}
				if !a.is(k, ",") {
					break
				}
				j = k + 1
			}
			continue
		case t.Text == "from" && a.lineStart(i) && a.is(i+1, "boto3"):
			// from boto3 import client, resource, Session; from boto3.session import Session
			a.imports = true
			j := i + 2
			for a.is(j, ".") {
				j += 2
			}
			if !a.is(j, "import") {
				continue
			}
			j++
			if a.is(j, "(") {
				j++
			}
			for a.tok(j).Kind == tIdent {
				name, local := a.tok(j).Text, a.tok(j).Text
				if a.is(j+1, "as") {
					local = a.tok(j + 2).Text
					j += 2
				}
				switch name {
				case "client":
					a.vars[local] = pyVal{kind: pyFnClient}
				case "resource":
					a.vars[local] = pyVal{kind: pyFnResource}
				case "Session":
					a.vars[local] = pyVal{kind: pyFnSession}
				}
				if !a.is(j+1, ",") {
					break
				}
				j += 2
			}
			continue
		}
		// An assignment target: NAME = … or self.NAME = …
		target, start := "", i
		switch {
		case a.lineStart(i) && a.is(i+1, "=") && !a.is(i+2, "="):
			target, start = t.Text, i+2
		case a.lineStart(i) && t.Text == "self" && a.is(i+1, ".") && a.tok(i+2).Kind == tIdent && a.is(i+3, "=") && !a.is(i+4, "="):
			target, start = "self."+a.tok(i+2).Text, i+4
		case a.lineStart(i) && a.is(i+1, ":") && a.tok(i+2).Kind == tIdent && a.is(i+3, "="):
			target, start = t.Text, i+4 // annotated: x: T = …
		}
		if target != "" {
			if a.is(start, "{") {
				// params = {"Bucket": "x"}; … client.put_object(**params)
				a.dicts[target] = a.dict(start)
			}
			// Module-level constants only (and self.x attributes): a function's
			// local name says nothing about another function's.
			if s := a.tok(start); s.Kind == tString && (t.Top || strings.HasPrefix(target, "self.")) && (a.tok(start+1).Kind == tNewline || a.is(start+1, ";")) {
				if v := literal(s); v != "" {
					a.consts[target] = v
				}
			}
			if a.tok(start).Kind == tIdent {
				v, end := a.expr(start)
				if v.kind != pyUnknown && v.kind != pyMethod {
					a.vars[target] = v
				}
				i = end - 1
			}
			continue
		}
		_, end := a.expr(i)
		if end > i+1 {
			i = end - 1
		}
	}
}

func literal(t tok) string {
	if t.Partial {
		if t.Text == "" {
			return ""
		}
		return t.Text + "*"
	}
	return t.Text
}

// lookup resolves a name (or self.name) to what it holds.
func (a *pyAnalyzer) lookup(i int) (pyVal, int) {
	name := a.tok(i).Text
	if name == "self" && a.is(i+1, ".") && a.tok(i+2).Kind == tIdent {
		if v, ok := a.vars["self."+a.tok(i+2).Text]; ok {
			return v, i + 3
		}
		return pyVal{}, i + 1
	}
	return a.vars[name], i + 1
}

const maxTrailers = 64

// expr evaluates a primary expression with its trailers (.attr, (args))
// starting at i, recording SDK calls on the way.
func (a *pyAnalyzer) expr(i int) (pyVal, int) {
	v, j := a.lookup(i)
	if v.kind == pyUnknown {
		return v, j
	}
	for steps := 0; steps < maxTrailers; steps++ {
		switch {
		case a.is(j, ".") && a.tok(j+1).Kind == tIdent:
			v = a.attr(v, a.tok(j+1).Text, a.tok(j+1).Line)
			j += 2
		case a.is(j, "("):
			args, end := a.args(j)
			v = a.call(v, args, a.tok(j).Line)
			j = end
		default:
			return v, j
		}
		if v.kind == pyUnknown {
			return v, j
		}
	}
	return v, j
}

func (a *pyAnalyzer) attr(v pyVal, name string, line int32) pyVal {
	switch v.kind {
	case pyBoto3:
		switch name {
		case "client":
			return pyVal{kind: pyFnClient}
		case "resource":
			return pyVal{kind: pyFnResource}
		case "Session":
			return pyVal{kind: pyFnSession}
		case "session":
			return pyVal{kind: pyBoto3}
		}
	case pySession:
		switch name {
		case "client":
			return pyVal{kind: pyFnClient, fields: v.fields}
		case "resource":
			return pyVal{kind: pyFnResource, fields: v.fields}
		}
	case pyResource:
		if name == "meta" {
			return pyVal{kind: pyResource, service: v.service, sub: "meta"}
		}
		if v.sub == "meta" && name == "client" {
			return pyVal{kind: pyClient, service: v.service}
		}
		return pyVal{kind: pyMethod, recv: &v, method: name}
	case pySub:
		if v.sub == "Bucket" && name == "objects" {
			return pyVal{kind: pySub, service: v.service, sub: "objects", fields: v.fields}
		}
		return pyVal{kind: pyMethod, recv: &v, method: name}
	case pyClient, pyPaginator:
		return pyVal{kind: pyMethod, recv: &v, method: name}
	}
	return pyVal{}
}

// pyArgs are a call's arguments: positional and keyword, string values
// only (dicts are kept one level deep for Params=).
type pyArgs struct {
	pos    []string // "" for a non-literal
	kw     sdkmap.Fields
	nonLit []string
	dicts  map[string]sdkmap.Fields
}

// args reads the argument list opening at i.
func (a *pyAnalyzer) args(i int) (pyArgs, int) {
	out := pyArgs{kw: sdkmap.Fields{}}
	end := a.skipBalanced(i)
	j := i + 1
	for j < end-1 {
		if a.is(j, "*") && a.is(j+1, "*") && a.tok(j+2).Kind == tIdent {
			for k, v := range a.dicts[a.tok(j+2).Text] {
				out.kw[k] = v
			}
			j = a.nextArg(j, end)
			continue
		}
		key := ""
		if a.tok(j).Kind == tIdent && a.is(j+1, "=") && !a.is(j+2, "=") {
			key = a.tok(j).Text
			j += 2
		}
		val, isLit := a.value(j)
		if a.is(j, "{") {
			if out.dicts == nil {
				out.dicts = map[string]sdkmap.Fields{}
			}
			d := a.dict(j)
			out.dicts[key] = d
			// CopySource={"Bucket": b, "Key": k} is "b/k" in the other SDKs.
			if b, ok := d["Bucket"]; ok && key == "CopySource" {
				val, isLit = b+"/*", true
				if k, ok := d["Key"]; ok {
					val = b + "/" + k
				}
			}
		}
		if key == "" {
			if isLit {
				out.pos = append(out.pos, val)
			} else {
				out.pos = append(out.pos, "")
			}
		} else if isLit {
			out.kw[key] = val
		} else {
			out.nonLit = append(out.nonLit, key)
		}
		j = a.nextArg(j, end)
	}
	return out, end
}

// value reads a string-valued argument: a literal, a constant, an f-string
// or a concatenation's literal start.
func (a *pyAnalyzer) value(j int) (string, bool) {
	t := a.tok(j)
	next := a.tok(j + 1)
	ends := next.Kind == tPunct && (next.Text == "," || next.Text == ")" || next.Text == "}" || next.Text == "+" || next.Text == "%")
	switch {
	case t.Kind == tString && ends:
		v := literal(t)
		if next.Text == "+" || next.Text == "%" {
			if t.Text == "" || t.Partial {
				return v, v != ""
			}
			if i := strings.IndexByte(t.Text, '%'); next.Text == "%" && i >= 0 {
				v = t.Text[:i]
			}
			if v == "" {
				return "", false
			}
			return strings.TrimSuffix(v, "*") + "*", true
		}
		return v, v != ""
	case t.Kind == tIdent && ends && next.Text != "+" && next.Text != "%":
		v, ok := a.consts[t.Text]
		return v, ok
	case t.Kind == tIdent && t.Text == "self" && a.is(j+1, ".") && a.tok(j+2).Kind == tIdent && (a.is(j+3, ",") || a.is(j+3, ")")):
		v, ok := a.consts["self."+a.tok(j+2).Text]
		return v, ok
	}
	return "", false
}

// dict reads a dict literal's string members: {'Bucket': 'x', 'Key': k}.
func (a *pyAnalyzer) dict(i int) sdkmap.Fields {
	out := sdkmap.Fields{}
	end := a.skipBalanced(i)
	j := i + 1
	for j < end-1 {
		if k := a.tok(j); k.Kind == tString && a.is(j+1, ":") {
			if v, ok := a.value(j + 2); ok {
				out[k.Text] = v
			}
		}
		j = a.nextArg(j, end)
	}
	return out
}

func (a *pyAnalyzer) skipBalanced(i int) int {
	depth := 0
	for j := i; j < len(a.toks); j++ {
		t := a.toks[j]
		if t.Kind != tPunct {
			continue
		}
		switch t.Text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth <= 0 {
				return j + 1
			}
		}
	}
	return len(a.toks)
}

func (a *pyAnalyzer) nextArg(j, end int) int {
	for j < end-1 {
		t := a.tok(j)
		if t.Kind == tPunct {
			switch t.Text {
			case "(", "[", "{":
				j = a.skipBalanced(j)
				continue
			case ",":
				return j + 1
			}
		}
		j++
	}
	return end
}

// positional names the leading positional parameters of the methods that
// take resource names positionally.
var positional = map[string][]string{
	"client.upload_file":      {"Filename", "Bucket", "Key"},
	"client.upload_fileobj":   {"Fileobj", "Bucket", "Key"},
	"client.download_file":    {"Bucket", "Key", "Filename"},
	"client.download_fileobj": {"Bucket", "Key", "Fileobj"},
	"client.copy":             {"CopySource", "Bucket", "Key"},
	"Bucket.upload_file":      {"Filename", "Key"},
	"Bucket.upload_fileobj":   {"Fileobj", "Key"},
	"Bucket.download_file":    {"Key", "Filename"},
	"Bucket.download_fileobj": {"Key", "Fileobj"},
	"Bucket.Object":           {"Key"},
	"resource.Bucket":         {"Bucket"},
	"resource.Object":         {"Bucket", "Key"},
	"resource.Table":          {"TableName"},
	"resource.Queue":          {"QueueUrl"},
	"resource.Topic":          {"TopicArn"},
}

// subMethods maps sub-resource methods to operations where the name is not
// the operation's.
var subMethods = map[string]string{
	"Bucket.delete": "DeleteBucket", "Bucket.create": "CreateBucket", "Bucket.load": "HeadBucket",
	"objects.all": "ListObjects", "objects.filter": "ListObjects", "objects.limit": "ListObjects", "objects.page_size": "ListObjects", "objects.delete": "DeleteObjects",
	"Object.get": "GetObject", "Object.put": "PutObject", "Object.delete": "DeleteObject", "Object.load": "HeadObject", "Object.reload": "HeadObject", "Object.copy_from": "CopyObject",
	"Table.load": "DescribeTable", "Table.delete": "DeleteTable", "Table.batch_writer": "BatchWriter",
	"Queue.send_messages": "SendMessageBatch", "Queue.receive_messages": "ReceiveMessage", "Queue.delete_messages": "DeleteMessageBatch", "Queue.purge": "PurgeQueue", "Queue.load": "GetQueueAttributes",
	"Topic.load": "GetTopicAttributes",
}

func merge(base sdkmap.Fields, more sdkmap.Fields) sdkmap.Fields {
	out := sdkmap.Fields{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

func (args pyArgs) withPositional(names []string) sdkmap.Fields {
	if len(names) == 0 || len(args.pos) == 0 {
		return args.kw // the call's own map: nothing else holds it
	}
	f := merge(nil, args.kw)
	for i, n := range names {
		if i < len(args.pos) && args.pos[i] != "" {
			if _, set := f[n]; !set {
				f[n] = args.pos[i]
			}
		}
	}
	return f
}

func (a *pyAnalyzer) call(v pyVal, args pyArgs, line int32) pyVal {
	switch v.kind {
	case pyFnSession:
		return pyVal{kind: pySession, fields: merge(nil, args.kw)}
	case pyFnClient, pyFnResource:
		if len(args.pos) == 0 && args.kw["service_name"] == "" {
			return pyVal{}
		}
		name := args.kw["service_name"]
		if len(args.pos) > 0 {
			name = args.pos[0]
		}
		svc, ok := a.m.Prefix(name)
		if !ok {
			return pyVal{}
		}
		region := args.kw["region_name"]
		if region == "" {
			region = v.fields["region_name"]
		}
		if region != "" && !strings.HasSuffix(region, "*") {
			if _, seen := a.regions[svc]; !seen {
				a.regions[svc] = region
			}
		}
		if v.kind == pyFnClient {
			return pyVal{kind: pyClient, service: svc}
		}
		return pyVal{kind: pyResource, service: svc}
	case pyMethod:
		return a.methodCall(*v.recv, v.method, args, line)
	}
	return pyVal{}
}

func (a *pyAnalyzer) methodCall(recv pyVal, method string, args pyArgs, line int32) pyVal {
	switch recv.kind {
	case pyClient:
		switch method {
		case "get_paginator", "get_waiter":
			if len(args.pos) > 0 && method == "get_paginator" {
				return pyVal{kind: pyPaginator, service: recv.service, op: pascal(args.pos[0])}
			}
			return pyVal{}
		case "generate_presigned_url", "generate_presigned_post":
			op := "PutObject"
			if method == "generate_presigned_url" {
				op = args.kw["ClientMethod"]
				if len(args.pos) > 0 {
					op = args.pos[0]
				}
				op = pascal(op)
			}
			f := args.dicts["Params"]
			if method == "generate_presigned_post" {
				f = args.withPositional([]string{"Bucket", "Key"})
			}
			a.add(line, recv.service, op, f, args.nonLit, "client."+method+"()")
			return pyVal{}
		}
		op := pascal(method)
		if !a.hasOp(recv.service, op) {
			return pyVal{}
		}
		a.add(line, recv.service, op, args.withPositional(positional["client."+method]), args.nonLit, "client."+method+"()")
	case pyPaginator:
		if method == "paginate" {
			a.add(line, recv.service, recv.op, args.kw, args.nonLit, "paginator("+recv.op+").paginate()")
		}
	case pyResource:
		switch method {
		case "Bucket", "Object", "Table", "Queue", "Topic":
			return pyVal{kind: pySub, service: recv.service, sub: method, fields: args.withPositional(positional["resource."+method])}
		case "get_queue_by_name":
			a.add(line, recv.service, "GetQueueUrl", args.kw, args.nonLit, "resource.get_queue_by_name()")
			return pyVal{kind: pySub, service: recv.service, sub: "Queue", fields: args.kw}
		}
		op := pascal(method)
		if a.hasOp(recv.service, op) {
			a.add(line, recv.service, op, args.kw, args.nonLit, "resource."+method+"()")
		}
	case pySub:
		if recv.sub == "Bucket" && method == "Object" {
			return pyVal{kind: pySub, service: recv.service, sub: "Object", fields: merge(recv.fields, args.withPositional(positional["Bucket.Object"]))}
		}
		key := recv.sub + "." + method
		op, ok := subMethods[key]
		if !ok {
			op = pascal(method)
		}
		if !a.hasOp(recv.service, op) {
			return pyVal{}
		}
		f := merge(recv.fields, args.withPositional(positional[key]))
		a.add(line, recv.service, op, f, args.nonLit, recv.sub+"."+method+"()")
		if key == "objects.delete" {
			a.add(line, recv.service, "ListObjects", recv.fields, nil, key+"()")
		}
	}
	return pyVal{}
}

func (a *pyAnalyzer) add(line32 int32, service, op string, f sdkmap.Fields, nonLit []string, form string) {
	line := int(line32)
	if !a.hasOp(service, op) {
		a.warns = append(a.warns, Warning{File: a.file, Line: line, Msg: fmt.Sprintf("%s: no IAM action is known for %s operation %s", form, service, op)})
		return
	}
	if f == nil {
		f = sdkmap.Fields{}
	}
	a.calls = append(a.calls, Call{File: a.file, Line: line, Service: service, Operation: op, Fields: f, NonLiteral: nonLit, Form: form})
}
