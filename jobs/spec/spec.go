package spec

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Pipeline is one pipeline.
type Pipeline struct {
	Description string `yaml:"description,omitempty"`
	// From is the fact table read for each window.
	From Input `yaml:"from"`
	// Dimensions are tables read whole, by the name steps use.
	Dimensions map[string]Input `yaml:"dimensions,omitempty"`
	// PIIKeyFile / PIIKeyEnv hold the HMAC key of anonymize's hash and
	// scrub (exactly one, when those are used).
	PIIKeyFile string `yaml:"pii_key_file,omitempty"`
	PIIKeyEnv  string `yaml:"pii_key_env,omitempty"`
	Steps      []Step `yaml:"steps"`
}

// Input is a warehouse table: a directory hetl published, relative to
// the warehouse location (or a full URL).
type Input struct {
	Table string `yaml:"table,omitempty"`
	// HBase, for a dimension instead of Table, is an HBase table hetl
	// imported ("ns:name" or "name"): joins look its rows up by key
	// through the Thrift2 gateway (hbase.thrift) instead of reading it
	// whole.
	HBase string `yaml:"hbase,omitempty"`
	// Time is the event-time column that places a fact row in a window;
	// rows outside the window are not read even if a partition holds
	// them. Dimensions have none.
	Time string `yaml:"time,omitempty"`
	// Columns to read (default: every column).
	Columns []string `yaml:"columns,omitempty"`
}

// Step is one step: exactly one field is set.
type Step struct {
	Cleanse   *Cleanse            `yaml:"cleanse,omitempty"`
	Filter    string              `yaml:"filter,omitempty"`
	Anonymize *Anonymize          `yaml:"anonymize,omitempty"`
	Join      *Join               `yaml:"join,omitempty"`
	Augment   []map[string]string `yaml:"augment,omitempty"`
	Select    []string            `yaml:"select,omitempty"`
	Aggregate *Aggregate          `yaml:"aggregate,omitempty"`
	Write     *Write              `yaml:"write,omitempty"`
}

// Kind names the step's kind.
func (s Step) Kind() string {
	var kinds []string
	if s.Cleanse != nil {
		kinds = append(kinds, "cleanse")
	}
	if s.Filter != "" {
		kinds = append(kinds, "filter")
	}
	if s.Anonymize != nil {
		kinds = append(kinds, "anonymize")
	}
	if s.Join != nil {
		kinds = append(kinds, "join")
	}
	if s.Augment != nil {
		kinds = append(kinds, "augment")
	}
	if s.Select != nil {
		kinds = append(kinds, "select")
	}
	if s.Aggregate != nil {
		kinds = append(kinds, "aggregate")
	}
	if s.Write != nil {
		kinds = append(kinds, "write")
	}
	return strings.Join(kinds, "+")
}

// Cleanse drops duplicates, normalises strings and rejects rows that
// break the rules; rejected rows go to the pipeline's quarantine with the
// reason.
type Cleanse struct {
	Dedupe *Dedupe `yaml:"dedupe,omitempty"`
	// Trim removes leading and trailing white space; Lower and Upper
	// change case (after trimming).
	Trim  []string `yaml:"trim,omitempty"`
	Lower []string `yaml:"lower,omitempty"`
	Upper []string `yaml:"upper,omitempty"`
	// Required columns reject NULL and (for strings, after trimming) ''.
	Required []string `yaml:"required,omitempty"`
	// Checks are boolean expressions every kept row satisfies; a row for
	// which one is false or NULL is rejected with its reason.
	Checks []Check `yaml:"checks,omitempty"`
}

// Dedupe keeps one row per key: the one with the greatest KeepNewest
// value (ties: the first read).
type Dedupe struct {
	Key        []string `yaml:"key"`
	KeepNewest string   `yaml:"keep_newest"`
}

// Check is one cleanse rule.
type Check struct {
	Expr   string `yaml:"expr"`
	Reason string `yaml:"reason"`
}

// Anonymize protects personal data (see package ingest/pii): hash
// (keyed HMAC-SHA256), mask (format-aware), scrub (emails, IP addresses
// and phone numbers inside free text become stable tokens), drop.
type Anonymize struct {
	Hash  []string `yaml:"hash,omitempty"`
	Mask  []string `yaml:"mask,omitempty"`
	Scrub []string `yaml:"scrub,omitempty"`
	Drop  []string `yaml:"drop,omitempty"`
}

// Join joins a dimension on equal keys.
type Join struct {
	With string `yaml:"with"`
	// Kind is inner (default) or left.
	Kind string `yaml:"kind,omitempty"`
	// On maps this stream's columns to the dimension's, one pair per
	// list item, e.g. [{user_id: id}].
	On []map[string]string `yaml:"on"`
	// Columns of the dimension to add (default: all but its keys);
	// Prefix is put before their names.
	Columns []string `yaml:"columns,omitempty"`
	Prefix  string   `yaml:"prefix,omitempty"`
	// Missing says what an inner join does with a row that has no match:
	// drop (default) or quarantine.
	Missing string `yaml:"missing,omitempty"`
}

// Aggregate groups the window's rows.
type Aggregate struct {
	By []string `yaml:"by"`
	// Measures: [{name: "count(*)"}, {name: "avg(col)"}, ...].
	Measures []map[string]string `yaml:"measures"`
}

// Write publishes the rows it sees as the window's partition of Table.
type Write struct {
	Table string `yaml:"table"`
}

var nameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// pipelineNameRE is what a pipeline name looks like (it names metastore
// runs and appears in paths).
var pipelineNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

// ValidName checks a pipeline name.
func ValidName(n string) error {
	if !pipelineNameRE.MatchString(n) {
		return fmt.Errorf("pipeline name %q: want letters, digits, '_', '.', '-'", n)
	}
	return nil
}

// One returns the single key and value of a one-key mapping.
func One(m map[string]string) (string, string, error) {
	if len(m) != 1 {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return "", "", fmt.Errorf("want one `name: value` per list item, got %d (%s)", len(m), strings.Join(keys, ", "))
	}
	for k, v := range m {
		return k, v, nil
	}
	panic("unreachable")
}

// Validate checks what can be checked without the tables' schemas; jobs
// checks columns and expressions against them when it builds the plan.
func (p *Pipeline) Validate() error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if p.From.Table == "" {
		add("from.table is required")
	}
	if p.From.HBase != "" {
		add("from.hbase: the fact table is a warehouse table; HBase tables are dimensions")
	}
	if p.From.Time == "" {
		add("from.time is required: the event-time column that places rows in hourly windows")
	}
	for name, d := range p.Dimensions {
		if !nameRE.MatchString(name) {
			add("dimensions.%s: not a valid name", name)
		}
		if (d.Table == "") == (d.HBase == "") {
			add("dimensions.%s: give table (a warehouse table) or hbase (an HBase table), one of them", name)
		}
		if d.HBase != "" && d.Columns != nil {
			add("dimensions.%s: columns: choose an HBase dimension's columns in the join (columns:)", name)
		}
		if d.Time != "" {
			add("dimensions.%s.time: dimensions are read whole, at their latest published version", name)
		}
	}
	if p.PIIKeyFile != "" && p.PIIKeyEnv != "" {
		add("give pii_key_file or pii_key_env, not both")
	}
	if len(p.Steps) == 0 {
		add("steps: a pipeline needs at least one step")
	}
	writes, aggregated := 0, false
	for i, s := range p.Steps {
		where := fmt.Sprintf("steps[%d]", i)
		k := s.Kind()
		if k == "" || strings.Contains(k, "+") {
			add("%s: want exactly one of cleanse, filter, anonymize, join, augment, select, aggregate, write (got %q)", where, k)
			continue
		}
		where += "." + k
		switch {
		case s.Cleanse != nil:
			c := s.Cleanse
			if aggregated {
				add("%s: comes after an aggregate", where)
			}
			if c.Dedupe != nil && (len(c.Dedupe.Key) == 0 || c.Dedupe.KeepNewest == "") {
				add("%s.dedupe: needs key and keep_newest", where)
			}
			for j, ch := range c.Checks {
				if ch.Expr == "" || ch.Reason == "" {
					add("%s.checks[%d]: needs expr and reason", where, j)
				}
			}
		case s.Anonymize != nil:
			a := s.Anonymize
			if len(a.Hash)+len(a.Mask)+len(a.Scrub)+len(a.Drop) == 0 {
				add("%s: names no column", where)
			}
			if len(a.Hash)+len(a.Scrub) > 0 && p.PIIKeyFile == "" && p.PIIKeyEnv == "" {
				add("%s: hash and scrub need the pipeline's pii_key_file or pii_key_env", where)
			}
		case s.Join != nil:
			j := s.Join
			if _, ok := p.Dimensions[j.With]; !ok {
				add("%s.with: no dimension %q (declare it under dimensions)", where, j.With)
			}
			if j.Kind != "" && j.Kind != "inner" && j.Kind != "left" {
				add("%s.kind %q: want inner or left", where, j.Kind)
			}
			if j.Missing != "" && j.Missing != "drop" && j.Missing != "quarantine" {
				add("%s.missing %q: want drop or quarantine", where, j.Missing)
			}
			if j.Missing == "quarantine" && j.Kind == "left" {
				add("%s: a left join keeps unmatched rows; missing: quarantine is for inner joins", where)
			}
			if len(j.On) == 0 {
				add("%s.on: needs at least one column pair", where)
			}
			for n, m := range j.On {
				if _, _, err := One(m); err != nil {
					add("%s.on[%d]: %v", where, n, err)
				}
			}
		case s.Augment != nil:
			for n, m := range s.Augment {
				name, expr, err := One(m)
				switch {
				case err != nil:
					add("%s[%d]: %v", where, n, err)
				case !nameRE.MatchString(name):
					add("%s[%d]: column name %q: want [A-Za-z_][A-Za-z0-9_]*", where, n, name)
				case expr == "":
					add("%s.%s: empty expression", where, name)
				}
			}
		case s.Aggregate != nil:
			if aggregated {
				add("%s: a pipeline aggregates once", where)
			}
			aggregated = true
			if len(s.Aggregate.Measures) == 0 {
				add("%s.measures: at least one", where)
			}
			for n, m := range s.Aggregate.Measures {
				name, fn, err := One(m)
				switch {
				case err != nil:
					add("%s.measures[%d]: %v", where, n, err)
				case !nameRE.MatchString(name):
					add("%s.measures[%d]: name %q: want [A-Za-z_][A-Za-z0-9_]*", where, n, name)
				default:
					if _, err := ParseMeasure(fn); err != nil {
						add("%s.measures.%s: %v", where, name, err)
					}
				}
			}
		case s.Write != nil:
			writes++
			if s.Write.Table == "" {
				add("%s.table is required", where)
			}
		}
	}
	if writes == 0 && len(p.Steps) > 0 {
		add("steps: no write step, so the pipeline would publish nothing")
	}
	return errors.Join(errs...)
}
