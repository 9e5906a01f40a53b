package hbase

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// SchemaAttribute is the table attribute where hetl records what it
// wrote into a table, so readers decode cells without being told.
const SchemaAttribute = "hetl.schema"

// TableSchema is what an import wrote: the family, the value encoding,
// the row key and the Arrow schema of the columns (qualifiers are the
// field names).
type TableSchema struct {
	Family   string        `json:"family"`
	Encoding string        `json:"encoding"` // typed or string
	RowKey   []string      `json:"row_key"`
	Salt     int           `json:"salt,omitempty"`
	Schema   *arrow.Schema `json:"-"`
}

type tableSchemaJSON struct {
	TableSchema
	ArrowSchema string `json:"arrow_schema"` // base64 Arrow IPC stream with no batches
}

// Marshal encodes the schema for SchemaAttribute.
func (s TableSchema) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(s.Schema))
	if err := w.Close(); err != nil {
		return nil, err
	}
	return json.Marshal(tableSchemaJSON{TableSchema: s, ArrowSchema: base64.StdEncoding.EncodeToString(buf.Bytes())})
}

// ParseTableSchema decodes SchemaAttribute.
func ParseTableSchema(b []byte) (TableSchema, error) {
	var j tableSchemaJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return TableSchema{}, fmt.Errorf("hbase: table schema: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(j.ArrowSchema)
	if err != nil {
		return TableSchema{}, fmt.Errorf("hbase: table schema: %w", err)
	}
	r, err := ipc.NewReader(bytes.NewReader(raw))
	if err != nil {
		return TableSchema{}, fmt.Errorf("hbase: table schema: %w", err)
	}
	defer r.Release()
	s := j.TableSchema
	s.Schema = r.Schema()
	return s, nil
}

// Columns are the schema's fields as reader columns.
func (s TableSchema) Columns() []Column {
	var out []Column
	for _, f := range s.Schema.Fields() {
		if s.Encoding == "string" {
			// Text values: declared as text (typemap parses them exactly
			// where a caller needs the typed value).
			g := f
			if f.Type.ID() != arrow.BINARY {
				g.Type = arrow.BinaryTypes.String
			}
			out = append(out, Column{Family: s.Family, Qualifier: f.Name, Field: g})
			continue
		}
		out = append(out, Column{Family: s.Family, Qualifier: f.Name, Field: f})
	}
	return out
}

// Column maps family:qualifier to an Arrow field; typed cell values are
// decoded into its type (AppendDecoded), others taken as text or bytes.
type Column struct {
	Family, Qualifier string
	Field             arrow.Field
}

// KeyField is the first field of every record a reader builds: the row
// key's bytes.
const KeyField = "_key"

// recordsOf turns results into one record batch of cols.
func recordsOf(results []Result, cols []Column) (arrow.RecordBatch, error) {
	fields := []arrow.Field{{Name: KeyField, Type: arrow.BinaryTypes.Binary}}
	index := map[string]int{}
	for i, c := range cols {
		f := c.Field
		f.Nullable = true
		fields = append(fields, f)
		index[c.Family+":"+c.Qualifier] = i + 1
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema(fields, nil))
	defer b.Release()
	seen := make([]bool, len(fields))
	for _, r := range results {
		b.Field(0).(*array.BinaryBuilder).Append(r.Key)
		clear(seen)
		seen[0] = true
		for _, cell := range r.Cells {
			i, ok := index[cell.Family+":"+cell.Qualifier]
			if !ok || seen[i] {
				continue
			}
			if err := AppendDecoded(b.Field(i), cell.Value); err != nil {
				return nil, fmt.Errorf("row %x, %s:%s: %w", r.Key, cell.Family, cell.Qualifier, err)
			}
			seen[i] = true
		}
		for i, s := range seen {
			if !s {
				b.Field(i).AppendNull()
			}
		}
	}
	return b.NewRecordBatch(), nil
}

// ScanRecords scans a table (or a key range, see ScanOptions) into
// record batches of KeyField and cols, one per fetched batch of rows,
// in HBase's row order. A missing cell is NULL; fn releases nothing, the
// batch is released after fn returns.
func (c *Client) ScanRecords(ctx context.Context, table TableName, cols []Column, o ScanOptions, p RetryPolicy, fn func(arrow.RecordBatch) error) error {
	return c.Scan(ctx, table, o, p, func(rs []Result) error {
		rec, err := recordsOf(rs, cols)
		if err != nil {
			return err
		}
		defer rec.Release()
		return fn(rec)
	})
}

// GetRecords fetches rows by key into one record batch (caller releases),
// in the order of keys; a missing row has a NULL key and NULL columns.
func (c *Client) GetRecords(ctx context.Context, table TableName, keys [][]byte, cols []Column, p RetryPolicy) (arrow.RecordBatch, error) {
	rs, err := c.GetRows(ctx, table, keys, p)
	if err != nil {
		return nil, err
	}
	rec, err := recordsOf(rs, cols)
	if err != nil {
		return nil, err
	}
	// Missing rows came back without a key: mark them NULL.
	keyCol := rec.Column(0).(*array.Binary)
	missing := false
	for i := 0; i < keyCol.Len(); i++ {
		missing = missing || rs[i].Key == nil
	}
	if !missing {
		return rec, nil
	}
	defer rec.Release()
	kb := array.NewBinaryBuilder(memory.DefaultAllocator, arrow.BinaryTypes.Binary)
	defer kb.Release()
	for i := range rs {
		if rs[i].Key == nil {
			kb.AppendNull()
		} else {
			kb.Append(rs[i].Key)
		}
	}
	keysArr := kb.NewArray()
	defer keysArr.Release()
	colsOut := append([]arrow.Array{keysArr}, rec.Columns()[1:]...)
	return array.NewRecordBatch(rec.Schema(), colsOut, rec.NumRows()), nil
}
