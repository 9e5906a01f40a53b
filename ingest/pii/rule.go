package pii

import (
	"fmt"
	"strings"
)

// Action is what a rule does to its column.
type Action string

// The actions.
const (
	Hash  Action = "hash"
	Mask  Action = "mask"
	Drop  Action = "drop"
	Scrub Action = "scrub"
)

// NeedsKey reports whether the action uses the HMAC key.
func (a Action) NeedsKey() bool { return a == Hash || a == Scrub }

// Rule protects one column.
type Rule struct {
	Column string
	Action Action
}

// ParseRule parses "column=action".
func ParseRule(s string) (Rule, error) {
	col, act, ok := strings.Cut(s, "=")
	col = strings.TrimSpace(col)
	if !ok {
		return Rule{}, fmt.Errorf("--pii %q: want COLUMN=hash|mask|drop|scrub", s)
	}
	if col == "" {
		return Rule{}, fmt.Errorf("--pii %q: empty column name", s)
	}
	switch a := Action(strings.ToLower(strings.TrimSpace(act))); a {
	case Hash, Mask, Drop, Scrub:
		return Rule{Column: col, Action: a}, nil
	}
	return Rule{}, fmt.Errorf("--pii %q: unknown action %q: want hash, mask, drop or scrub", s, act)
}

// ParseRules parses every rule and rejects a column named twice (MySQL
// column names are case-insensitive).
func ParseRules(specs []string) ([]Rule, error) {
	seen := map[string]bool{}
	var out []Rule
	for _, s := range specs {
		r, err := ParseRule(s)
		if err != nil {
			return nil, err
		}
		k := strings.ToLower(r.Column)
		if seen[k] {
			return nil, fmt.Errorf("--pii: column %s has two rules", r.Column)
		}
		seen[k] = true
		out = append(out, r)
	}
	return out, nil
}
