// Package builtin holds the pipelines hetl ships, declared in YAML like
// a user's (hetl.yaml's pipelines take precedence over these names).
package builtin

import (
	"bytes"
	_ "embed"
	"fmt"
	"sort"

	"gopkg.in/yaml.v3"

	"github.com/hetl/hetl/jobs/spec"
)

//go:embed hourly_activity.yaml
var hourlyActivity []byte

var sources = map[string][]byte{"hourly_activity": hourlyActivity}

// Names lists the built-in pipelines.
func Names() []string {
	out := make([]string, 0, len(sources))
	for n := range sources {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Get decodes a built-in pipeline (strictly: an unknown key is an error).
func Get(name string) (*spec.Pipeline, bool, error) {
	src, ok := sources[name]
	if !ok {
		return nil, false, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	var p spec.Pipeline
	if err := dec.Decode(&p); err != nil {
		return nil, true, fmt.Errorf("built-in pipeline %s: %w", name, err)
	}
	if err := p.Validate(); err != nil {
		return nil, true, fmt.Errorf("built-in pipeline %s: %w", name, err)
	}
	return &p, true, nil
}
