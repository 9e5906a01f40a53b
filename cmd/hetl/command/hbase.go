package command

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/spf13/cobra"

	"github.com/hetl/hetl/config"
	"github.com/hetl/hetl/hbase"
)

func newHBaseCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hbase",
		Short: "Look at HBase tables through the Thrift2 gateway of hetl.yaml",
		Long: `hbase prints rows for people. Tables written by hetl import --hbase-table carry their
schema (a table attribute), so cells are decoded into their MySQL values; other tables print
text, or 0x-hex for bytes that are not UTF-8.`,
		Example: `  hetl hbase scan profiles --limit 10
  hetl hbase scan events --prefix 'tenant-a' --format json
  hetl hbase get profiles 42`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newHBaseScanCommand(g), newHBaseGetCommand(g))
	return cmd
}

// dialHBase connects to the configured gateway.
func dialHBase(ctx context.Context, cfg *config.Config) (*hbase.Client, error) {
	if cfg.HBase.Thrift == "" {
		return nil, usagef("no HBase gateway configured: set hbase.thrift in hetl.yaml (see docs/configuration.md)")
	}
	opts := hbase.DefaultOptions()
	opts.Transport, opts.Protocol = cfg.HBase.Transport, cfg.HBase.Protocol
	if cfg.HBase.CallTimeout > 0 {
		opts.CallTimeout = cfg.HBase.CallTimeout
	}
	return hbase.Dial(ctx, cfg.HBase.Thrift, opts)
}

// hbaseView prints rows of one table, decoded with its recorded schema
// when it has one.
type hbaseView struct {
	table  hbase.TableName
	schema *hbase.TableSchema
	format string
	out    io.Writer
	// table format: collected rows
	header []string
	right  []bool
	rows   [][]string
}

func newHBaseView(ctx context.Context, c *hbase.Client, name, format string, out io.Writer) (*hbaseView, error) {
	if format != "table" && format != "json" {
		return nil, usagef("--format %q: want table or json", format)
	}
	table, err := hbase.ParseTableName(name)
	if err != nil {
		return nil, usagef("%v", err)
	}
	v := &hbaseView{table: table, format: format, out: out}
	raw, err := c.TableAttribute(ctx, table, hbase.SchemaAttribute)
	if err != nil {
		return nil, err
	}
	if raw != nil {
		ts, err := hbase.ParseTableSchema(raw)
		if err != nil {
			return nil, err
		}
		v.schema = &ts
		v.header = []string{"ROW KEY"}
		v.right = []bool{false}
		for _, col := range ts.Columns() {
			v.header = append(v.header, col.Qualifier)
			v.right = append(v.right, isNumeric(col.Field.Type))
		}
	}
	return v, nil
}

func isNumeric(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64, arrow.DECIMAL128:
		return true
	}
	return false
}

// printableKey shows a key as text when it is printable UTF-8, else hex.
func printableKey(k []byte) string {
	if utf8.Valid(k) && strings.IndexFunc(string(k), func(r rune) bool { return !unicode.IsPrint(r) }) < 0 {
		return string(k)
	}
	return "0x" + strings.ToUpper(hex.EncodeToString(k))
}

func rawValue(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return "0x" + strings.ToUpper(hex.EncodeToString(b))
}

// add takes one batch of rows.
func (v *hbaseView) add(rs []hbase.Result) error {
	if v.schema == nil {
		return v.addRaw(rs)
	}
	return v.addDecoded(rs, v.schema.Columns())
}

func (v *hbaseView) addDecoded(rs []hbase.Result, cols []hbase.Column) error {
	for _, r := range rs {
		rec, err := recordOf(r, cols)
		if err != nil {
			return err
		}
		if v.format == "json" {
			obj := map[string]any{}
			for i, col := range cols {
				a := rec.Column(i + 1)
				if a.IsNull(0) {
					continue
				}
				obj[col.Family+":"+col.Qualifier] = jsonValue(a)
			}
			rec.Release()
			if err := v.printJSON(r.Key, obj); err != nil {
				return err
			}
			continue
		}
		line := []string{printableKey(r.Key)}
		for i := range cols {
			a := rec.Column(i + 1)
			if a.IsNull(0) {
				line = append(line, "NULL")
			} else {
				line = append(line, a.ValueStr(0))
			}
		}
		rec.Release()
		v.rows = append(v.rows, line)
	}
	return nil
}

func recordOf(r hbase.Result, cols []hbase.Column) (arrow.RecordBatch, error) {
	fields := []arrow.Field{{Name: hbase.KeyField, Type: arrow.BinaryTypes.Binary}}
	for _, c := range cols {
		f := c.Field
		f.Nullable = true
		fields = append(fields, f)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema(fields, nil))
	defer b.Release()
	b.Field(0).(*array.BinaryBuilder).Append(r.Key)
	for i, c := range cols {
		found := false
		for _, cell := range r.Cells {
			if cell.Family == c.Family && cell.Qualifier == c.Qualifier {
				if err := hbase.AppendDecoded(b.Field(i+1), cell.Value); err != nil {
					return nil, fmt.Errorf("row %s, %s:%s: %w", printableKey(r.Key), c.Family, c.Qualifier, err)
				}
				found = true
				break
			}
		}
		if !found {
			b.Field(i + 1).AppendNull()
		}
	}
	return b.NewRecordBatch(), nil
}

func jsonValue(a arrow.Array) any {
	switch a := a.(type) {
	case *array.Int8:
		return a.Value(0)
	case *array.Int16:
		return a.Value(0)
	case *array.Int32:
		return a.Value(0)
	case *array.Int64:
		return a.Value(0)
	case *array.Uint8:
		return a.Value(0)
	case *array.Uint16:
		return a.Value(0)
	case *array.Uint32:
		return a.Value(0)
	case *array.Uint64:
		return json.Number(strconv.FormatUint(a.Value(0), 10))
	case *array.Float32:
		return json.Number(strconv.FormatFloat(float64(a.Value(0)), 'g', -1, 32))
	case *array.Float64:
		return json.Number(strconv.FormatFloat(a.Value(0), 'g', -1, 64))
	case *array.Binary:
		return rawValue(a.Value(0))
	}
	return a.ValueStr(0) // decimals, dates and times as exact text
}

func (v *hbaseView) addRaw(rs []hbase.Result) error {
	for _, r := range rs {
		obj := map[string]any{}
		for _, c := range r.Cells {
			obj[c.Family+":"+c.Qualifier] = rawValue(c.Value)
		}
		if v.format == "json" {
			if err := v.printJSON(r.Key, obj); err != nil {
				return err
			}
			continue
		}
		// No schema: one line per cell.
		if v.header == nil {
			v.header, v.right = []string{"ROW KEY", "COLUMN", "VALUE"}, []bool{false, false, false}
		}
		for _, c := range r.Cells {
			v.rows = append(v.rows, []string{printableKey(r.Key), c.Family + ":" + c.Qualifier, rawValue(c.Value)})
		}
	}
	return nil
}

func (v *hbaseView) printJSON(key []byte, cols map[string]any) error {
	b, err := json.Marshal(map[string]any{"key": printableKey(key), "columns": cols})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(v.out, "%s\n", b)
	return err
}

// finish prints the table format.
func (v *hbaseView) finish(n int) error {
	if v.format == "json" {
		return nil
	}
	if v.header == nil {
		v.header, v.right = []string{"ROW KEY"}, []bool{false}
	}
	s := renderTable(v.header, v.rows, v.right)
	if n == 1 {
		s += "1 row\n"
	} else {
		s += fmt.Sprintf("%d rows\n", n)
	}
	_, err := io.WriteString(v.out, s)
	return err
}

// parseKey turns KEY as typed on the command line into a row key: 0x-hex
// as is; otherwise, for a table with a recorded schema, the key column
// values (comma-separated for composite keys) encoded as the import does;
// else the text's bytes.
func (v *hbaseView) parseKey(s string) ([]byte, error) {
	if h, ok := strings.CutPrefix(s, "0x"); ok {
		b, err := hex.DecodeString(h)
		if err != nil {
			return nil, usagef("key %q: bad hex: %v", s, err)
		}
		return b, nil
	}
	if v.schema == nil {
		return []byte(s), nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != len(v.schema.RowKey) {
		return nil, usagef("key %q: the table's key has %d column(s) (%s); separate them with commas, or give 0x-hex", s, len(v.schema.RowKey), strings.Join(v.schema.RowKey, ", "))
	}
	var fields []arrow.Field
	for _, name := range v.schema.RowKey {
		idx := v.schema.Schema.FieldIndices(name)
		if len(idx) != 1 {
			return nil, fmt.Errorf("recorded schema has no key column %s", name)
		}
		fields = append(fields, v.schema.Schema.Field(idx[0]))
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema(fields, nil))
	defer b.Release()
	for i, f := range fields {
		p := parts[i]
		var err error
		switch bld := b.Field(i).(type) {
		case *array.Int8Builder, *array.Int16Builder, *array.Int32Builder, *array.Int64Builder:
			var n int64
			if n, err = strconv.ParseInt(p, 10, 64); err == nil {
				err = appendInt(bld, n)
			}
		case *array.Uint8Builder, *array.Uint16Builder, *array.Uint32Builder, *array.Uint64Builder:
			var n uint64
			if n, err = strconv.ParseUint(p, 10, 64); err == nil {
				err = appendUint(bld, n)
			}
		case *array.StringBuilder:
			bld.Append(p)
		case *array.BinaryBuilder:
			bld.Append([]byte(p))
		default:
			return nil, usagef("key column %s is %s: give the key as 0x-hex", f.Name, f.Type)
		}
		if err != nil {
			return nil, usagef("key column %s: %q: %v", f.Name, p, err)
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	enc, err := hbase.NewRowKeyEncoder(rec.Schema(), v.schema.RowKey, v.schema.Salt)
	if err != nil {
		return nil, err
	}
	return enc.Key(rec, 0, nil)
}

func appendInt(b array.Builder, n int64) error {
	switch b := b.(type) {
	case *array.Int8Builder:
		if n != int64(int8(n)) {
			return errors.New("out of range")
		}
		b.Append(int8(n))
	case *array.Int16Builder:
		if n != int64(int16(n)) {
			return errors.New("out of range")
		}
		b.Append(int16(n))
	case *array.Int32Builder:
		if n != int64(int32(n)) {
			return errors.New("out of range")
		}
		b.Append(int32(n))
	case *array.Int64Builder:
		b.Append(n)
	}
	return nil
}

func appendUint(b array.Builder, n uint64) error {
	switch b := b.(type) {
	case *array.Uint8Builder:
		if n != uint64(uint8(n)) {
			return errors.New("out of range")
		}
		b.Append(uint8(n))
	case *array.Uint16Builder:
		if n != uint64(uint16(n)) {
			return errors.New("out of range")
		}
		b.Append(uint16(n))
	case *array.Uint32Builder:
		if n != uint64(uint32(n)) {
			return errors.New("out of range")
		}
		b.Append(uint32(n))
	case *array.Uint64Builder:
		b.Append(n)
	}
	return nil
}

func newHBaseScanCommand(g *globalOptions) *cobra.Command {
	var prefix, format string
	var limit int
	cmd := &cobra.Command{
		Use:   "scan TABLE",
		Short: "Print a table's rows in HBase's row order",
		Example: `  hetl hbase scan profiles --limit 20
  hetl hbase scan events --prefix 0x03 --format json`,
		Args: exactArgs(1),
	}
	cmd.Flags().StringVar(&prefix, "prefix", "", "only rows whose key starts with this (text, or 0x-hex)")
	cmd.Flags().IntVar(&limit, "limit", 100, "at most this many rows (0: all)")
	cmd.Flags().StringVar(&format, "format", "table", "table, or json (one object per row)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if limit < 0 {
			return usagef("--limit %d: want 0 or more", limit)
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			c, err := dialHBase(ctx, e.cfg)
			if err != nil {
				return err
			}
			defer c.Close()
			v, err := newHBaseView(ctx, c, args[0], format, out)
			if err != nil {
				return err
			}
			var p []byte
			if prefix != "" {
				if h, ok := strings.CutPrefix(prefix, "0x"); ok {
					if p, err = hex.DecodeString(h); err != nil {
						return usagef("--prefix %q: bad hex", prefix)
					}
				} else {
					p = []byte(prefix)
				}
			}
			n := 0
			err = c.Scan(ctx, v.table, hbase.ScanOptions{Prefix: p, Limit: limit}, hbase.RetryPolicy{}, func(rs []hbase.Result) error {
				n += len(rs)
				return v.add(rs)
			})
			if err != nil {
				return err
			}
			return v.finish(n)
		})(cmd, args)
	}
	return cmd
}

func newHBaseGetCommand(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "get TABLE KEY",
		Short: "Print one row",
		Long: `get prints one row. KEY is 0x-hex, or — for a table hetl imported — the key column values
(comma-separated for a composite key), encoded as the import encodes them (salt included).`,
		Example: `  hetl hbase get profiles 42
  hetl hbase get orders tenant-a,1017 --format json
  hetl hbase get raw_table 0x0A0B`,
		Args: exactArgs(2),
	}
	cmd.Flags().StringVar(&format, "format", "table", "table, or json")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			c, err := dialHBase(ctx, e.cfg)
			if err != nil {
				return err
			}
			defer c.Close()
			v, err := newHBaseView(ctx, c, args[0], format, out)
			if err != nil {
				return err
			}
			key, err := v.parseKey(args[1])
			if err != nil {
				return err
			}
			rs, err := c.GetRows(ctx, v.table, [][]byte{key}, hbase.RetryPolicy{})
			if err != nil {
				return err
			}
			if rs[0].Key == nil {
				return fmt.Errorf("no row %s in %s", printableKey(key), v.table)
			}
			if err := v.add(rs); err != nil {
				return err
			}
			return v.finish(1)
		})(cmd, args)
	}
	return cmd
}
