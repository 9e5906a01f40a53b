package pii

import (
	"fmt"
	"strings"
)

// Action is what a rule does to its column.
type Action string

// The actions a --pii rule can name.
const (
	Hash  Action = "hash"
	Mask  Action = "mask"
	Drop  Action = "drop"
	Scrub Action = "scrub"
)

// allowed is spelled out once so every error lists the same choices.
const allowed = "hash, mask, drop or scrub"

// NeedsKey reports whether the action uses the HMAC key.
func (a Action) NeedsKey() bool { return a == Hash || a == Scrub }

func (a Action) valid() bool {
	switch a {
	case Hash, Mask, Drop, Scrub:
		return true
	}
	return false
}

// Rule protects one column.
type Rule struct {
	Column string
	Action Action
}

// String is the rule as it is written on the command line, "col=action".
func (r Rule) String() string { return r.Column + "=" + string(r.Action) }

// ParseRule parses "column=action". The action is case-insensitive.
func ParseRule(s string) (Rule, error) {
	col, act, ok := strings.Cut(s, "=")
	if !ok {
		return Rule{}, fmt.Errorf("--pii %q: missing '=': want COLUMN=ACTION with ACTION one of %s", s, allowed)
	}
	col = strings.TrimSpace(col)
	if col == "" {
		return Rule{}, fmt.Errorf("--pii %q: empty column name", s)
	}
	a := Action(strings.ToLower(strings.TrimSpace(act)))
	if !a.valid() {
		return Rule{}, fmt.Errorf("--pii %q: unknown action %q: want %s", s, strings.TrimSpace(act), allowed)
	}
	return Rule{Column: col, Action: a}, nil
}

// ParseRules parses every spec and rejects a column named twice, ignoring
// case as MySQL does for column names.
func ParseRules(specs []string) ([]Rule, error) {
	first := make(map[string]Rule, len(specs))
	rules := make([]Rule, 0, len(specs))
	for _, s := range specs {
		r, err := ParseRule(s)
		if err != nil {
			return nil, err
		}
		k := strings.ToLower(r.Column)
		if prev, dup := first[k]; dup {
			return nil, fmt.Errorf("--pii %s: column %s already has a rule (--pii %s)", r, r.Column, prev)
		}
		first[k] = r
		rules = append(rules, r)
	}
	return rules, nil
}
