package pii

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/ingest/meta"
)

// Plan applies rules to the record batches of one schema. It is immutable
// once built, so Apply may run on several goroutines.
type Plan struct {
	in, out *arrow.Schema
	// actions[i] is the action for input column i; "" keeps it as is.
	actions []Action
	key     Key
	mem     memory.Allocator
}

// NewPlan checks rules against schema and computes the output schema.
// Every rule's column must exist (ignoring case), hash, mask and scrub
// apply only to utf8 and binary columns, and hash and scrub need a valid
// key (key may be nil when no rule needs one). Output batches are
// allocated with memory.DefaultAllocator.
func NewPlan(schema *arrow.Schema, rules []Rule, key *Key) (*Plan, error) {
	p := &Plan{in: schema, actions: make([]Action, schema.NumFields()), mem: memory.DefaultAllocator}
	for _, r := range rules {
		if !r.Action.valid() {
			return nil, fmt.Errorf("--pii %s: unknown action %q: want %s", r, r.Action, allowed)
		}
		idx := fieldIndexFold(schema, r.Column)
		if idx < 0 {
			return nil, fmt.Errorf("--pii %s: no column %s in the import", r, r.Column)
		}
		f := schema.Field(idx)
		if p.actions[idx] != "" {
			return nil, fmt.Errorf("--pii %s: column %s already has a rule (%s)", r, f.Name, p.actions[idx])
		}
		if r.Action != Drop && !isText(f.Type) {
			return nil, fmt.Errorf("--pii %s: column %s is %s; only text and binary columns can be hashed, masked or scrubbed (drop works on any column)", r, f.Name, f.Type)
		}
		if r.Action.NeedsKey() {
			if key == nil || !key.Valid() {
				return nil, fmt.Errorf("--pii %s needs a key: --pii-key-file or --pii-key-env", r)
			}
			p.key = *key
		}
		p.actions[idx] = r.Action
	}

	fields := make([]arrow.Field, 0, schema.NumFields())
	for i, f := range schema.Fields() {
		switch a := p.actions[i]; a {
		case "":
			fields = append(fields, f)
		case Drop:
		default:
			out := arrow.Field{Name: f.Name, Type: arrow.BinaryTypes.String, Nullable: f.Nullable, Metadata: p.fieldMetadata(f, a)}
			if isLarge(f.Type) {
				out.Type = arrow.BinaryTypes.LargeString
			}
			fields = append(fields, out)
		}
	}
	md := schema.Metadata()
	p.out = arrow.NewSchema(fields, &md)
	return p, nil
}

// fieldMetadata keeps a protected field's metadata, in order, and sets
// hetl.pii. hetl.logical is removed unless the column is utf8 text being
// scrubbed, the one case where the value keeps its encoding (JSON text
// stays JSON): a hash of JSON or of WKB is neither.
func (p *Plan) fieldMetadata(f arrow.Field, a Action) arrow.Metadata {
	tag := string(a)
	if a.NeedsKey() {
		tag += ":" + p.key.Fingerprint()
	}
	keepLogical := a == Scrub && !isBinary(f.Type)
	keys := make([]string, 0, f.Metadata.Len()+1)
	vals := make([]string, 0, f.Metadata.Len()+1)
	for i, k := range f.Metadata.Keys() {
		if k == meta.PII || (k == meta.Logical && !keepLogical) {
			continue
		}
		keys = append(keys, k)
		vals = append(vals, f.Metadata.Values()[i])
	}
	return arrow.NewMetadata(append(keys, meta.PII), append(vals, tag))
}

// fieldIndexFold is the first field named name, ignoring case as MySQL
// does; -1 if none.
func fieldIndexFold(schema *arrow.Schema, name string) int {
	for i, f := range schema.Fields() {
		if strings.EqualFold(f.Name, name) {
			return i
		}
	}
	return -1
}

func isText(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING:
		return true
	}
	return isBinary(t)
}

func isBinary(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.BINARY, arrow.LARGE_BINARY:
		return true
	}
	return false
}

func isLarge(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return true
	}
	return false
}

// Schema is the output schema: dropped columns removed, protected columns
// utf8 with hetl.pii metadata.
func (p *Plan) Schema() *arrow.Schema { return p.out }

// Apply returns a protected copy of rec, which must have the schema the
// plan was built for. Kept columns are shared, not copied. The caller
// releases both records.
func (p *Plan) Apply(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	if int(rec.NumCols()) != len(p.actions) {
		return nil, fmt.Errorf("pii: record has %d columns, the plan was built for %d", rec.NumCols(), len(p.actions))
	}
	cols := make([]arrow.Array, 0, p.out.NumFields())
	var made []arrow.Array
	defer func() {
		// NewRecordBatch retains what it keeps; release our references.
		for _, c := range made {
			c.Release()
		}
	}()
	var h *hasher // one per call, so concurrent Applies share no state
	for i, a := range p.actions {
		col := rec.Column(i)
		if want := p.in.Field(i).Type; !arrow.TypeEqual(col.DataType(), want) {
			return nil, fmt.Errorf("pii: column %s is %s, the plan was built for %s", p.in.Field(i).Name, col.DataType(), want)
		}
		switch a {
		case "":
			cols = append(cols, col)
		case Drop:
		default:
			if (a == Hash || a == Scrub) && h == nil {
				h = p.key.newHasher()
			}
			out := p.protect(col, a, h)
			made = append(made, out)
			cols = append(cols, out)
		}
	}
	return array.NewRecordBatch(p.out, cols, rec.NumRows()), nil
}

// protect builds the protected utf8 column for one input column, whose
// type NewPlan and Apply have checked.
func (p *Plan) protect(col arrow.Array, a Action, h *hasher) arrow.Array {
	var value func(int) string
	switch c := col.(type) {
	case *array.String:
		value = c.Value
	case *array.LargeString:
		value = c.Value
	case *array.Binary:
		value = c.ValueString
	case *array.LargeBinary:
		value = c.ValueString
	}
	// Masked or scrubbed bytes are copied into a utf8 column, so binary
	// input must become valid UTF-8 first; a hash is hex either way.
	fix := a != Hash && isBinary(col.DataType())

	var (
		bld array.Builder
		bb  *array.BinaryBuilder
	)
	if isLarge(col.DataType()) {
		b := array.NewLargeStringBuilder(p.mem)
		bld, bb = b, b.BinaryBuilder
	} else {
		b := array.NewStringBuilder(p.mem)
		bld, bb = b, b.BinaryBuilder
	}
	defer bld.Release()

	n := col.Len()
	bb.Reserve(n)
	if a == Hash {
		bb.ReserveData((n - col.NullN()) * 2 * len(h.sum))
	}
	for i := range n {
		if col.IsNull(i) {
			bb.AppendNull()
			continue
		}
		v := value(i)
		if fix && !utf8.ValidString(v) {
			v = strings.ToValidUTF8(v, "\uFFFD")
		}
		switch a {
		case Hash:
			bb.Append(h.hexSumMemo(v))
		case Mask:
			bb.AppendString(MaskValue(v))
		case Scrub:
			bb.AppendString(p.key.scrubText(v, Hash, h))
		}
	}
	return bld.NewArray()
}

// One protects a single value as the column's rule would, for places that
// see raw values rather than batches (the quarantine file). Drop gives "".
// a must be an action the plan's rules were checked for: Hash and Scrub
// need the plan to have a key.
func (p *Plan) One(v string, a Action) string {
	switch a {
	case Hash:
		return p.key.HashString(v)
	case Mask:
		return MaskValue(v)
	case Scrub:
		return p.key.ScrubText(v, Hash)
	}
	return ""
}
