package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// LookupEnv reads an environment variable; os.LookupEnv in production.
type LookupEnv func(string) (string, bool)

// Load reads, interpolates, decodes, defaults and validates a configuration
// file. lookup resolves ${VAR}; nil means os.LookupEnv.
func Load(path string, lookup LookupEnv) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &Error{File: path, Msg: "file does not exist"}
		}
		return nil, &Error{File: path, Msg: err.Error()}
	}
	return Parse(path, data, lookup)
}

// Parse is Load for bytes already read; path is used in messages.
func Parse(path string, data []byte, lookup LookupEnv) (*Config, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	cfg := Default()
	cfg.File = path
	cfg.lines = map[string]int{}

	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return cfg, cfg.Validate(lookup) // an empty file means defaults
		}
		return nil, yamlError(path, err)
	}
	if len(doc.Content) == 0 {
		return cfg, cfg.Validate(lookup)
	}
	root := doc.Content[0]
	if err := interpolate(path, root, "", lookup); err != nil {
		return nil, err
	}
	if err := checkKeys(path, root, reflect.TypeOf(*cfg), "", cfg.lines); err != nil {
		return nil, err
	}
	if err := root.Decode(cfg); err != nil {
		return nil, yamlError(path, err)
	}
	for name, conn := range cfg.Connections {
		if conn == nil {
			return nil, &Error{File: path, Line: cfg.lines["connections."+name], Key: "connections." + name, Msg: "empty connection"}
		}
		conn.name = name
	}
	return cfg, cfg.Validate(lookup)
}

// yamlError turns a yaml.v3 error ("yaml: line 3: ...") into an *Error.
func yamlError(path string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	line := 0
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = strings.TrimPrefix(msg[len(m[0]):], " ")
	}
	return &Error{File: path, Line: line, Msg: msg}
}

var lineRE = regexp.MustCompile(`^line (\d+):`)

// interpolate replaces ${VAR}, ${VAR:-default} and $$ in every scalar value
// (never in keys), before decoding, so lines in messages stay right.
func interpolate(path string, n *yaml.Node, key string, lookup LookupEnv) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if !strings.Contains(n.Value, "$") {
			return nil
		}
		v, err := expand(n.Value, lookup)
		if err != nil {
			return &Error{File: path, Line: n.Line, Key: key, Msg: err.Error()}
		}
		n.Value = v
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := interpolate(path, n.Content[i+1], joinKey(key, n.Content[i].Value), lookup); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if err := interpolate(path, c, fmt.Sprintf("%s[%d]", key, i), lookup); err != nil {
				return err
			}
		}
	case yaml.DocumentNode, yaml.AliasNode:
		for _, c := range n.Content {
			if err := interpolate(path, c, key, lookup); err != nil {
				return err
			}
		}
	}
	return nil
}

var varRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// expand implements the interpolation syntax of a single value.
func expand(s string, lookup LookupEnv) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '$' {
			b.WriteByte('$')
			i++
			continue
		}
		if i+1 >= len(s) || s[i+1] != '{' {
			b.WriteByte('$')
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("unterminated ${ in %q", s)
		}
		expr := s[i+2 : i+end]
		name, def, hasDef := strings.Cut(expr, ":-")
		if !varRE.MatchString(name) {
			return "", fmt.Errorf("invalid variable reference ${%s}", expr)
		}
		v, ok := lookup(name)
		switch {
		case ok && v != "":
			b.WriteString(v)
		case hasDef:
			b.WriteString(def)
		case ok:
			// Set but empty, and no default: an empty value, as in the shell.
		default:
			return "", fmt.Errorf("environment variable %s is not set (write ${%s:-default} to give a default)", name, name)
		}
		i += end
	}
	return b.String(), nil
}

// checkKeys walks the YAML tree beside the Go type and reports the first key
// the schema does not know. It also records the line of every key path.
func checkKeys(path string, n *yaml.Node, t reflect.Type, key string, lines map[string]int) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if t.String() == "time.Time" {
			return nil
		}
		if n.Kind != yaml.MappingNode {
			if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
				return nil
			}
			return &Error{File: path, Line: n.Line, Key: key, Msg: "expected a mapping of keys to values"}
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			sub := joinKey(key, k.Value)
			lines[sub] = k.Line
			ft, ok := fields[k.Value]
			if !ok {
				return unknownKey(path, k, key, fields)
			}
			if err := checkKeys(path, v, ft, sub, lines); err != nil {
				return err
			}
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
				return nil
			}
			return &Error{File: path, Line: n.Line, Key: key, Msg: "expected a mapping of names to values"}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			sub := joinKey(key, k.Value)
			lines[sub] = k.Line
			if err := checkKeys(path, v, t.Elem(), sub, lines); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return nil // the decoder reports the type error
		}
		for i, c := range n.Content {
			sub := fmt.Sprintf("%s[%d]", key, i)
			lines[sub] = c.Line
			if err := checkKeys(path, c, t.Elem(), sub, lines); err != nil {
				return err
			}
		}
	}
	return nil
}

func unknownKey(path string, k *yaml.Node, parent string, fields map[string]reflect.Type) error {
	known := make([]string, 0, len(fields))
	for name := range fields {
		known = append(known, name)
	}
	sort.Strings(known)
	where := "at the top level"
	if parent != "" {
		where = "in " + parent
	}
	msg := fmt.Sprintf("unknown key %q %s (known keys: %s)", k.Value, where, strings.Join(known, ", "))
	if _, hashed := fields["password_hash"]; k.Value == "password" && hashed {
		msg = fmt.Sprintf("unknown key %q %s: passwords are never written down; give password_hash (make one with: hetl sql hash-password)", k.Value, where)
	} else if k.Value == "password" {
		msg = fmt.Sprintf("unknown key %q %s: passwords are never written in hetl.yaml; use password_file or password_env", k.Value, where)
	}
	return &Error{File: path, Line: k.Line, Key: joinKey(parent, k.Value), Msg: msg}
}

// yamlFields maps the YAML names of a struct's fields to their types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	return fields
}

func joinKey(parent, k string) string {
	if parent == "" {
		return k
	}
	return parent + "." + k
}
