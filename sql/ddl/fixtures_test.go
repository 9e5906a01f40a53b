package ddl

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"path"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/ingest/source"
	"github.com/hetl/hetl/ingest/typemap"
	"github.com/hetl/hetl/jobs"
	"github.com/hetl/hetl/warehouse"
)

// The fixtures are tables laid out as hetl publishes them: imports'
// manifests made with the importer's own type mapping (typemap.Plan) and
// schema encoding, and a pipeline output written by jobs.Write.

// col is a MySQL column as information_schema describes it.
func col(name, dataType, columnType string, nullable bool) source.Column {
	c := source.Column{Name: name, DataType: dataType, ColumnType: columnType, Nullable: nullable}
	return c
}

// allMySQLColumns has a column of every MySQL type the importer maps,
// and one whose name needs quoting in every dialect.
func allMySQLColumns() []source.Column {
	unsigned := func(c source.Column) source.Column { c.Unsigned = true; return c }
	dec := func(c source.Column, p, s int) source.Column { c.Precision, c.Scale = p, s; return c }
	fsp := func(c source.Column, n int) source.Column { c.FSP = n; return c }
	return []source.Column{
		col("id", "bigint", "bigint(20)", false),
		col("tiny", "tinyint", "tinyint(4)", true),
		col("flag", "tinyint", "tinyint(1)", false),
		col("small", "smallint", "smallint(6)", true),
		col("medium", "mediumint", "mediumint(9)", true),
		col("qty", "int", "int(11)", true),
		unsigned(col("tiny_u", "tinyint", "tinyint(3) unsigned", true)),
		unsigned(col("small_u", "smallint", "smallint(5) unsigned", true)),
		unsigned(col("int_u", "int", "int(10) unsigned", true)),
		unsigned(col("big_u", "bigint", "bigint(20) unsigned", true)),
		dec(col("price", "decimal", "decimal(12,2)", true), 12, 2),
		dec(col("huge", "decimal", "decimal(65,10)", true), 65, 10),
		col("ratio", "float", "float", true),
		col("score", "double", "double", true),
		dec(col("bits", "bit", "bit(12)", true), 12, 0),
		col("yr", "year", "year(4)", true),
		col("day", "date", "date", true),
		fsp(col("created_at", "datetime", "datetime(6)", false), 6),
		fsp(col("updated_at", "timestamp", "timestamp(3)", true), 3),
		col("dur", "time", "time", true),
		col("name", "varchar", "varchar(100)", true),
		col("status", "enum", "enum('new','paid')", false),
		col("doc", "json", "json", true),
		col("tags", "set", "set('a','b','c')", true),
		col("raw", "varbinary", "varbinary(16)", true),
		col("geom", "geometry", "geometry", true),
		col("it's a `quoted` \"name\"", "varchar", "varchar(10)", true),
	}
}

// importSchema is the Arrow schema the importer writes for cols.
func importSchema(t testing.TB, cols []source.Column) *arrow.Schema {
	t.Helper()
	var ms []typemap.Mapping
	for _, c := range cols {
		m, err := typemap.Plan(c, typemap.ZeroDateNull)
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	return typemap.Schema(ms, nil)
}

// writeImport publishes a manifest as an import with these files would.
func writeImport(t testing.TB, fsys warehouse.FS, dir string, f format.Format, schema *arrow.Schema, partitionBy string, files []string, text *ingest.TextLayout) {
	t.Helper()
	ctx := context.Background()
	enc, err := ingest.EncodeSchema(schema)
	if err != nil {
		t.Fatal(err)
	}
	fp := ingest.Fingerprint(schema)
	m := ingest.Manifest{RunID: "r1", Source: "shop", Target: dir, Format: string(f), Codec: "snappy", Mode: "create",
		Text: text, SchemaFingerprint: fp, Schemas: map[string]string{fp: enc}, PartitionBy: partitionBy}
	for _, fl := range files {
		m.Files = append(m.Files, ingest.ManifestFile{Path: fl, Rows: 1, Bytes: 1, Schema: fp})
		writeFile(t, fsys, path.Join(dir, fl), nil)
	}
	for _, fl := range schema.Fields() {
		m.Columns = append(m.Columns, ingest.ManifestColumn{Name: fl.Name, ArrowType: fl.Type.String()})
	}
	body, err := json.MarshalIndent(&m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, fsys, path.Join(dir, ingest.SuccessFile), body)
	if _, err := ingest.ReadManifest(ctx, fsys, dir); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t testing.TB, fsys warehouse.FS, name string, body []byte) {
	t.Helper()
	w, err := fsys.Create(context.Background(), name, warehouse.CreateOptions{Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// aggregateSchema is an hourly aggregate's output, as a pipeline's
// aggregate and write steps produce it.
func aggregateSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: jobs.WindowColumn, Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{Name: "country", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "events", Type: arrow.PrimitiveTypes.Int64},
		{Name: "revenue", Type: &arrow.Decimal128Type{Precision: 38, Scale: 2}, Nullable: true},
		{Name: "latency_p95", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "users_sketch", Type: arrow.BinaryTypes.Binary, Nullable: true},
	}, nil)
}

// writePipelineOutput publishes windows of an hourly aggregate with
// jobs.Write, as a pipeline run does.
func writePipelineOutput(t testing.TB, fsys warehouse.FS, table string, windows ...time.Time) {
	t.Helper()
	ctx := context.Background()
	schema := aggregateSchema()
	for i, start := range windows {
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(start.UnixMicro()))
		b.Field(1).(*array.StringBuilder).Append("DE")
		b.Field(2).(*array.Int64Builder).Append(42)
		b.Field(3).(*array.Decimal128Builder).Append(decimal128.FromI64(12345))
		b.Field(4).(*array.Float64Builder).Append(12.5)
		b.Field(5).(*array.BinaryBuilder).Append([]byte{1, 2, 3})
		rec := b.NewRecordBatch()
		b.Release()
		w, err := jobs.Write(jobs.FromBatches(schema, rec), jobs.WriteOptions{FS: fsys, Table: table, Pipeline: "hourly_activity",
			Window: jobs.Window{Start: start}, RunID: "run" + string(rune('a'+i)), PartitionBy: jobs.WindowColumn})
		if err != nil {
			t.Fatal(err)
		}
		for {
			r, err := w.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			r.Release()
		}
		if err := w.Prepare(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// fixture is a table laid out in a warehouse, under a name.
type fixture struct {
	name  string // golden file stem
	table string // metastore name
	dir   string
	build func(t testing.TB, fsys warehouse.FS)
}

func strp(s string) *string { return &s }

var fixtures = []fixture{
	{name: "import_partitioned", table: "shop.orders", dir: "shop/orders", build: func(t testing.TB, fsys warehouse.FS) {
		writeImport(t, fsys, "shop/orders", format.Parquet, importSchema(t, allMySQLColumns()), "created_at", []string{
			"dt=2026-11-21/hr=10/part-00000.parquet",
			"dt=2026-11-21/hr=10/part-00001.parquet",
			"dt=2026-11-21/hr=11/part-00000.parquet",
			"dt=2026-11-22/hr=00/part-00000.parquet",
			"dt=__HIVE_DEFAULT_PARTITION__/hr=__HIVE_DEFAULT_PARTITION__/part-00000.parquet",
		}, nil)
	}},
	{name: "import_unpartitioned", table: "shop.users", dir: "shop/users", build: func(t testing.TB, fsys warehouse.FS) {
		cols := []source.Column{
			col("id", "bigint", "bigint(20)", false),
			col("email", "varchar", "varchar(255)", false),
			col("country", "char", "char(2)", false),
			{Name: "created_at", DataType: "datetime", ColumnType: "datetime(3)", FSP: 3},
			{Name: "updated_at", DataType: "timestamp", ColumnType: "timestamp(3)", FSP: 3, Nullable: true},
		}
		writeImport(t, fsys, "shop/users", format.Parquet, importSchema(t, cols), "", []string{"part-00000.parquet", "part-00001.parquet"}, nil)
	}},
	{name: "pipeline_output", table: "analytics.hourly_activity", dir: "analytics/hourly_activity", build: func(t testing.TB, fsys warehouse.FS) {
		writePipelineOutput(t, fsys, "analytics/hourly_activity",
			time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC), time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC))
	}},
	{name: "text_day_partitioned", table: "shop.events_text", dir: "shop/events_text", build: func(t testing.TB, fsys warehouse.FS) {
		cols := []source.Column{
			col("id", "bigint", "bigint(20)", false),
			col("event_type", "varchar", "varchar(32)", false),
			{Name: "amount", DataType: "decimal", ColumnType: "decimal(10,2)", Precision: 10, Scale: 2, Nullable: true},
			{Name: "created_at", DataType: "datetime", ColumnType: "datetime(6)", FSP: 6},
			col("dur", "time", "time", true),
			col("tags", "set", "set('a','b')", true),
			col("payload", "blob", "blob", true),
		}
		layout := ingest.NewTextLayout(format.TextOptions{FieldsTerminatedBy: 1, NullString: strp(`\N`), NullNonString: strp(`\N`)})
		writeImport(t, fsys, "shop/events_text", format.Text, importSchema(t, cols), "created_at",
			[]string{"dt=2026-11-21/part-00000.txt", "dt=2026-11-22/part-00000.txt"}, layout)
	}},
	{name: "text_escaped", table: "shop.notes", dir: "shop/notes", build: func(t testing.TB, fsys warehouse.FS) {
		cols := []source.Column{
			col("id", "bigint", "bigint(20)", false),
			col("note", "text", "text", true),
		}
		layout := ingest.NewTextLayout(format.TextOptions{FieldsTerminatedBy: '|', EscapedBy: '\\'})
		writeImport(t, fsys, "shop/notes", format.Text, importSchema(t, cols), "", []string{"part-00000.txt"}, layout)
	}},
	{name: "avro", table: "shop.payments", dir: "shop/payments", build: func(t testing.TB, fsys warehouse.FS) {
		cols := []source.Column{
			col("id", "bigint", "bigint(20)", false),
			col("order-id", "int", "int(11)", false),
			{Name: "amount", DataType: "decimal", ColumnType: "decimal(10,2)", Precision: 10, Scale: 2, Nullable: true},
			{Name: "paid_at", DataType: "timestamp", ColumnType: "timestamp(6)", FSP: 6, Nullable: true},
			{Name: "booked_at", DataType: "datetime", ColumnType: "datetime", FSP: 0},
			col("tags", "set", "set('a','b')", true),
		}
		writeImport(t, fsys, "shop/payments", format.Avro, importSchema(t, cols), "", []string{"part-00000.avro"}, nil)
	}},
}

// goldenOptions are the options the golden files are printed with.
func goldenOptions() Options {
	o := DefaultOptions()
	o.Location = "hdfs://namenode:8020/warehouse"
	o.PartitionsPerStatement = 3
	return o
}
