package pii

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/ingest/meta"
)

// Plan applies rules to record batches of one schema.
type Plan struct {
	in, out *arrow.Schema
	// actions[i] is the action for input column i ("" keeps it).
	actions []Action
	key     *Key
	mem     memory.Allocator
}

// NewPlan checks the rules against the schema: every column must exist,
// hash/mask/scrub apply to text or bytes, and hash/scrub need a key.
func NewPlan(schema *arrow.Schema, rules []Rule, key *Key) (*Plan, error) {
	p := &Plan{in: schema, actions: make([]Action, schema.NumFields()), key: key, mem: memory.DefaultAllocator}
	for _, r := range rules {
		idx := -1
		for i, f := range schema.Fields() {
			if strings.EqualFold(f.Name, r.Column) {
				idx = i
			}
		}
		if idx < 0 {
			return nil, fmt.Errorf("--pii %s=%s: no column %s in the import", r.Column, r.Action, r.Column)
		}
		f := schema.Field(idx)
		if r.Action != Drop {
			switch f.Type.ID() {
			case arrow.STRING, arrow.BINARY:
			default:
				return nil, fmt.Errorf("--pii %s=%s: column %s is %s; only text and byte columns can be hashed, masked or scrubbed (drop works on any)", r.Column, r.Action, f.Name, f.Type)
			}
		}
		if r.Action.NeedsKey() && (key == nil || !key.Valid()) {
			return nil, fmt.Errorf("--pii %s=%s needs a key: --pii-key-file or --pii-key-env", r.Column, r.Action)
		}
		p.actions[idx] = r.Action
	}
	var fields []arrow.Field
	for i, f := range schema.Fields() {
		switch a := p.actions[i]; a {
		case "":
			fields = append(fields, f)
		case Drop:
		default:
			md := map[string]string{}
			for j, k := range f.Metadata.Keys() {
				md[k] = f.Metadata.Values()[j]
			}
			tag := string(a)
			if a.NeedsKey() {
				tag += ":" + key.Fingerprint()
			}
			md[meta.PII] = tag
			fields = append(fields, arrow.Field{Name: f.Name, Type: arrow.BinaryTypes.String, Nullable: f.Nullable, Metadata: arrow.MetadataFrom(md)})
		}
	}
	p.out = arrow.NewSchema(fields, nil)
	return p, nil
}

// Schema is the protected schema.
func (p *Plan) Schema() *arrow.Schema { return p.out }

// Apply returns a protected copy of rec; the caller releases both.
func (p *Plan) Apply(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, 0, p.out.NumFields())
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for i := range p.in.NumFields() {
		col := rec.Column(i)
		switch a := p.actions[i]; a {
		case "":
			col.Retain()
			cols = append(cols, col)
		case Drop:
		default:
			out, err := p.protect(col, a)
			if err != nil {
				return nil, err
			}
			cols = append(cols, out)
		}
	}
	return array.NewRecordBatch(p.out, cols, rec.NumRows()), nil
}

func (p *Plan) protect(col arrow.Array, a Action) (arrow.Array, error) {
	b := array.NewStringBuilder(p.mem)
	defer b.Release()
	b.Reserve(col.Len())
	value := func(i int) string {
		switch c := col.(type) {
		case *array.String:
			return c.Value(i)
		case *array.Binary:
			return string(c.Value(i))
		}
		return ""
	}
	for i := 0; i < col.Len(); i++ {
		if col.IsNull(i) {
			b.AppendNull()
			continue
		}
		b.Append(p.One(value(i), a))
	}
	return b.NewArray(), nil
}

// One protects a single value with an action (not Drop).
func (p *Plan) One(v string, a Action) string {
	switch a {
	case Hash:
		return p.key.HashString(v)
	case Mask:
		return MaskValue(v)
	case Scrub:
		return p.key.ScrubText(v, Hash)
	}
	return v
}
