package node

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// MaxYAMLNodes caps the nodes a YAML document may expand to once aliases
// are resolved, so a few lines of nested aliases ("billion laughs") cannot
// build a tree that exhausts memory.
const MaxYAMLNodes = 100_000

// ParseYAML parses data as a single YAML document. Scalars are typed by the
// YAML 1.2 core schema (quoted scalars are always strings), explicit tags
// such as CloudFormation's !Ref or !GetAtt are kept in Node.Tag, aliases are
// resolved, and non-string mapping keys become their text. Any error is a
// *SyntaxError.
func ParseYAML(file string, data []byte) (n *Node, err error) {
	// The YAML library has panicked on hostile input in the past; a parser
	// here must never take the process down.
	defer func() {
		if r := recover(); r != nil {
			n, err = nil, &SyntaxError{Pos: Pos{File: file, Line: 1, Column: 1}, Msg: fmt.Sprintf("invalid YAML: %v", r)}
		}
	}()
	if !utf8.Valid(data) {
		off := invalidUTF8Offset(data)
		return nil, &SyntaxError{Pos: offsetPos(file, data, off), Msg: "invalid UTF-8"}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &SyntaxError{Pos: Pos{File: file, Line: 1, Column: 1}, Msg: "empty input: expected a YAML document"}
		}
		return nil, yamlSyntaxError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &SyntaxError{Pos: Pos{File: file, Line: extra.Line, Column: extra.Column}, Msg: "multiple YAML documents in one file: expected exactly one"}
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlSyntaxError(file, err)
	}
	c := yamlConverter{file: file, lines: lineStarts(data), data: data, anchors: map[*yaml.Node]*anchored{}}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, &SyntaxError{Pos: Pos{File: file, Line: 1, Column: 1}, Msg: "empty input: expected a YAML document"}
		}
		root = root.Content[0]
	}
	return c.convert(root, 0)
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlSyntaxError turns the YAML library's error text ("yaml: line 3: …")
// into a positioned SyntaxError; the library reports a line only.
func yamlSyntaxError(file string, err error) *SyntaxError {
	msg := err.Error()
	pos := Pos{File: file, Line: 1, Column: 1}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		if line, convErr := strconv.Atoi(m[1]); convErr == nil && line > 0 {
			pos.Line = line
		}
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	return &SyntaxError{Pos: pos, Msg: "invalid YAML: " + msg}
}

func invalidUTF8Offset(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}

func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, c := range data {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

func offsetPos(file string, data []byte, off int) Pos {
	line, start := 1, 0
	for i := 0; i < off && i < len(data); i++ {
		if data[i] == '\n' {
			line, start = line+1, i+1
		}
	}
	col := 1
	for i := start; i < off; {
		_, size := utf8.DecodeRune(data[i:])
		i += size
		col++
	}
	return Pos{File: file, Line: line, Column: col, Offset: off}
}

type anchored struct {
	node  *Node
	count int // nodes in the converted subtree
}

type yamlConverter struct {
	file    string
	data    []byte
	lines   []int
	count   int
	anchors map[*yaml.Node]*anchored
	// expanding guards against an alias that refers to its own ancestor.
	expanding map[*yaml.Node]bool
	// cursor remembers the last column converted to a byte offset, so the
	// many nodes of one long line (a flow collection) are converted in one
	// pass over it rather than one pass each.
	cursorLine, cursorCol, cursorOff int
}

// pos converts the library's 1-based line and code-point column to a Pos
// with a byte offset.
func (c *yamlConverter) pos(line, col int) Pos {
	p := Pos{File: c.file, Line: line, Column: col}
	if line < 1 || line > len(c.lines) {
		return p
	}
	off, i := c.lines[line-1], 1
	if line == 1 && bytes.HasPrefix(c.data, []byte("\uFEFF")) {
		off += 3
	}
	if line == c.cursorLine && col >= c.cursorCol && c.cursorCol > 0 {
		off, i = c.cursorOff, c.cursorCol
	}
	for ; i < col && off < len(c.data); i++ {
		_, size := utf8.DecodeRune(c.data[off:])
		off += size
	}
	c.cursorLine, c.cursorCol, c.cursorOff = line, col, off
	p.Offset = off
	return p
}

// scalarEnd finds where a scalar written on one line ends, for Node.EndOffset.
// Multi-line scalars end at the best approximation the library allows.
func (c *yamlConverter) scalarEnd(y *yaml.Node, start Pos) Pos {
	off := start.Offset
	d := c.data
	if off >= len(d) {
		return start
	}
	end := off
	switch {
	case y.Style&yaml.DoubleQuotedStyle != 0:
		end = quotedEnd(d, off, '"')
	case y.Style&yaml.SingleQuotedStyle != 0:
		end = quotedEnd(d, off, '\'')
	case y.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		end = off + 1
	default:
		end = off + len(y.Value)
		if y.Style&yaml.TaggedStyle != 0 || y.Anchor != "" {
			// The node's position is its tag or anchor; skip to the value.
			if i := bytes.Index(d[off:min(len(d), off+len(y.Tag)+len(y.Anchor)+len(y.Value)+64)], []byte(y.Value)); i >= 0 {
				end = off + i + len(y.Value)
			}
		}
		end = min(end, len(d))
	}
	if nl := bytes.IndexByte(d[off:end], '\n'); nl >= 0 {
		// The scalar spans lines: report its end within the first line.
		end = off + nl
	}
	return Pos{File: c.file, Line: start.Line, Column: start.Column + utf8.RuneCount(d[off:end]), Offset: end}
}

func quotedEnd(d []byte, off int, q byte) int {
	for i := off + 1; i < len(d); i++ {
		switch d[i] {
		case '\\':
			if q == '"' {
				i++
			}
		case q:
			if q == '\'' && i+1 < len(d) && d[i+1] == '\'' {
				i++
				continue
			}
			return i + 1
		}
	}
	return len(d)
}

func (c *yamlConverter) errAt(y *yaml.Node, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: c.pos(y.Line, y.Column), Msg: fmt.Sprintf(format, args...)}
}

func (c *yamlConverter) convert(y *yaml.Node, depth int) (*Node, error) {
	if depth > MaxDepth {
		return nil, c.errAt(y, "nesting exceeds the maximum depth of %d", MaxDepth)
	}
	if y.Kind == yaml.AliasNode {
		return c.alias(y, depth)
	}
	if y.Anchor != "" {
		if c.expanding == nil {
			c.expanding = map[*yaml.Node]bool{}
		}
		if c.expanding[y] {
			return nil, c.errAt(y, "alias refers to a node that contains it")
		}
		c.expanding[y] = true
		defer delete(c.expanding, y)
	}
	before := c.count
	c.count++
	if c.count > MaxYAMLNodes {
		return nil, c.errAt(y, "document expands to more than %d nodes (too many aliases?)", MaxYAMLNodes)
	}
	n := &Node{Pos: c.pos(y.Line, y.Column)}
	if y.Style&yaml.TaggedStyle != 0 && !strings.HasPrefix(y.Tag, "!!") {
		n.Tag = y.Tag
	}
	switch y.Kind {
	case yaml.ScalarNode:
		n.Kind, n.Text = scalarKind(y)
		n.EndOffset = c.scalarEnd(y, n.Pos).Offset
	case yaml.SequenceNode:
		n.Kind = Array
		n.Items = make([]*Node, 0, len(y.Content))
		for _, item := range y.Content {
			v, err := c.convert(item, depth+1)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, v)
		}
		// Containers end with their furthest child (an alias child may
		// sit earlier in the file); the library reports no end position.
		n.EndOffset = n.Pos.Offset
		for _, it := range n.Items {
			n.EndOffset = max(n.EndOffset, it.EndOffset)
		}
	case yaml.MappingNode:
		n.Kind = Object
		if err := c.mapping(n, y, depth); err != nil {
			return nil, err
		}
	default:
		return nil, c.errAt(y, "unsupported YAML node")
	}
	if y.Anchor != "" {
		c.anchors[y] = &anchored{node: n, count: c.count - before}
	}
	return n, nil
}

func (c *yamlConverter) mapping(n *Node, y *yaml.Node, depth int) error {
	if len(y.Content)%2 != 0 {
		return c.errAt(y, "malformed mapping")
	}
	n.Fields = make([]*Field, 0, len(y.Content)/2)
	var merged []*Field
	for i := 0; i < len(y.Content); i += 2 {
		k, v := y.Content[i], y.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" && k.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
			// "<<: *base" merges another mapping's keys; keys written
			// here win, so merged ones are added after the loop.
			fields, err := c.mergeFields(v, depth)
			if err != nil {
				return err
			}
			merged = append(merged, fields...)
			continue
		}
		key, err := c.keyText(k)
		if err != nil {
			return err
		}
		val, err := c.convert(v, depth+1)
		if err != nil {
			return err
		}
		n.Fields = append(n.Fields, &Field{Key: key, KeyPos: c.pos(k.Line, k.Column), Value: val})
	}
	for _, f := range merged {
		if n.Field(f.Key) == nil {
			n.Fields = append(n.Fields, f)
		}
	}
	n.EndOffset = n.Pos.Offset
	for _, f := range n.Fields {
		n.EndOffset = max(n.EndOffset, f.Value.EndOffset)
	}
	return nil
}

func (c *yamlConverter) mergeFields(v *yaml.Node, depth int) ([]*Field, error) {
	src, err := c.convert(v, depth+1)
	if err != nil {
		return nil, err
	}
	switch src.Kind {
	case Object:
		return src.Fields, nil
	case Array:
		var out []*Field
		for _, item := range src.Items {
			if item.Kind != Object {
				return nil, &SyntaxError{Pos: item.Pos, Msg: "merge key \"<<\" needs a mapping or a list of mappings"}
			}
			out = append(out, item.Fields...)
		}
		return out, nil
	}
	return nil, &SyntaxError{Pos: src.Pos, Msg: "merge key \"<<\" needs a mapping or a list of mappings"}
}

// keyText renders a mapping key as a string; JSON-shaped consumers only
// understand string keys.
func (c *yamlConverter) keyText(k *yaml.Node) (string, error) {
	for k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	if k.Kind != yaml.ScalarNode {
		return "", c.errAt(k, "mapping key must be a scalar, not a %s", yamlKindName(k.Kind))
	}
	return k.Value, nil
}

func yamlKindName(k yaml.Kind) string {
	switch k {
	case yaml.SequenceNode:
		return "sequence"
	case yaml.MappingNode:
		return "mapping"
	}
	return "node"
}

func (c *yamlConverter) alias(y *yaml.Node, depth int) (*Node, error) {
	target := y.Alias
	if target == nil {
		return nil, c.errAt(y, "unknown alias %q", y.Value)
	}
	if a, ok := c.anchors[target]; ok {
		// Reuse the converted subtree but charge its full size: the tree a
		// consumer walks is as large as if it had been copied.
		c.count += a.count
		if c.count > MaxYAMLNodes {
			return nil, c.errAt(y, "document expands to more than %d nodes (too many aliases?)", MaxYAMLNodes)
		}
		return a.node, nil
	}
	if c.expanding[target] {
		return nil, c.errAt(y, "alias %q refers to a node that contains it", y.Value)
	}
	return c.convert(target, depth)
}

// scalarKind types a scalar by the YAML 1.2 core schema. A standard tag
// (!!str, !!int, …) decides first; otherwise quoted and block scalars are
// strings whatever they look like.
func scalarKind(y *yaml.Node) (Kind, string) {
	v := y.Value
	if y.Style&yaml.TaggedStyle != 0 {
		switch y.Tag {
		case "!!str", "!!binary", "!!timestamp":
			return String, v
		case "!!null":
			return Null, "null"
		case "!!bool":
			if b, ok := coreBool(v); ok {
				return Bool, b
			}
			return String, v
		case "!!int", "!!float":
			if isCoreNumber(v) {
				return Number, v
			}
			return String, v
		}
	}
	if y.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return String, v
	}
	switch v {
	case "", "~", "null", "Null", "NULL":
		return Null, "null"
	}
	if b, ok := coreBool(v); ok {
		return Bool, b
	}
	if isCoreNumber(v) {
		return Number, v
	}
	return String, v
}

func coreBool(v string) (string, bool) {
	switch v {
	case "true", "True", "TRUE":
		return "true", true
	case "false", "False", "FALSE":
		return "false", true
	}
	return "", false
}

// isCoreNumber reports whether v is an int or float in the YAML 1.2 core
// schema: [-+]?[0-9]+, 0o[0-7]+, 0x[0-9a-fA-F]+,
// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, [-+]?\.inf, \.nan.
func isCoreNumber(v string) bool {
	if v == "" {
		return false
	}
	switch v {
	case ".nan", ".NaN", ".NAN":
		return true
	}
	if len(v) > 2 && v[0] == '0' && (v[1] == 'o' || v[1] == 'x') {
		for _, c := range v[2:] {
			if v[1] == 'o' && !(c >= '0' && c <= '7') {
				return false
			}
			if v[1] == 'x' && !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
		return true
	}
	s := v
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	switch s {
	case ".inf", ".Inf", ".INF":
		return true
	}
	i, digits := 0, 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && isDigit(s[i]) {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// Parse parses data as JSON or YAML: JSON when the file name ends in .json
// or the first non-space byte is '{' or '[', YAML when it ends in .yaml or
// .yml, and YAML otherwise.
func Parse(file string, data []byte) (*Node, error) {
	if IsJSON(file, data) {
		return ParseJSON(file, data)
	}
	return ParseYAML(file, data)
}

// IsJSON reports whether Parse reads data as JSON (rather than YAML).
func IsJSON(file string, data []byte) bool {
	lower := strings.ToLower(file)
	switch {
	case strings.HasSuffix(lower, ".json"):
		return true
	case strings.HasSuffix(lower, ".yaml"), strings.HasSuffix(lower, ".yml"):
		return false
	}
	return looksLikeJSON(data)
}

func looksLikeJSON(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	for _, c := range data {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{', '[':
			return true
		}
		return false
	}
	return false
}
