package ddl

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hetl/hetl/ingest/meta"
)

// Every Arrow type the importer produces (typemap.Plan over every MySQL
// type) and a pipeline writes, declared in each dialect and format.
func TestTypeMapping(t *testing.T) {
	type want struct{ hive, spark, trino string }
	// Keyed by column of allMySQLColumns, then the aggregate's.
	parquet := map[string]want{
		"id":                       {"BIGINT", "BIGINT", "BIGINT"},
		"tiny":                     {"TINYINT", "TINYINT", "TINYINT"},
		"flag":                     {"TINYINT", "TINYINT", "TINYINT"},
		"small":                    {"SMALLINT", "SMALLINT", "SMALLINT"},
		"medium":                   {"INT", "INT", "INTEGER"},
		"qty":                      {"INT", "INT", "INTEGER"},
		"tiny_u":                   {"SMALLINT", "SMALLINT", "SMALLINT"},
		"small_u":                  {"INT", "INT", "INTEGER"},
		"int_u":                    {"BIGINT", "BIGINT", "BIGINT"},
		"big_u":                    {"DECIMAL(20,0)", "DECIMAL(20,0)", "DECIMAL(20,0)"},
		"price":                    {"DECIMAL(12,2)", "DECIMAL(12,2)", "DECIMAL(12,2)"},
		"huge":                     {"STRING", "STRING", "VARCHAR"},
		"ratio":                    {"FLOAT", "FLOAT", "REAL"},
		"score":                    {"DOUBLE", "DOUBLE", "DOUBLE"},
		"bits":                     {"DECIMAL(20,0)", "DECIMAL(20,0)", "DECIMAL(20,0)"},
		"yr":                       {"SMALLINT", "SMALLINT", "SMALLINT"},
		"day":                      {"DATE", "DATE", "DATE"},
		"created_at":               {"TIMESTAMP", "TIMESTAMP_NTZ", "TIMESTAMP(6)"},
		"updated_at":               {"TIMESTAMP", "TIMESTAMP", "TIMESTAMP(6)"},
		"dur":                      {"BIGINT", "BIGINT", "BIGINT"},
		"name":                     {"STRING", "STRING", "VARCHAR"},
		"status":                   {"STRING", "STRING", "VARCHAR"},
		"doc":                      {"STRING", "STRING", "VARCHAR"},
		"tags":                     {"ARRAY<STRING>", "ARRAY<STRING>", "ARRAY(VARCHAR)"},
		"raw":                      {"BINARY", "BINARY", "VARBINARY"},
		"geom":                     {"BINARY", "BINARY", "VARBINARY"},
		"it's a `quoted` \"name\"": {"STRING", "STRING", "VARCHAR"},
		"window_start":             {"TIMESTAMP", "TIMESTAMP", "TIMESTAMP(6)"},
		"country":                  {"STRING", "STRING", "VARCHAR"},
		"events":                   {"BIGINT", "BIGINT", "BIGINT"},
		"revenue":                  {"DECIMAL(38,2)", "DECIMAL(38,2)", "DECIMAL(38,2)"},
		"latency_p95":              {"DOUBLE", "DOUBLE", "DOUBLE"},
		"users_sketch":             {"BINARY", "BINARY", "VARBINARY"},
	}
	// Where text and Avro files hold something else than Parquet's.
	text := map[string]want{
		"created_at":   {"TIMESTAMP", "TIMESTAMP", "TIMESTAMP(6)"},
		"dur":          {"STRING", "STRING", "VARCHAR"},
		"tags":         {"STRING", "STRING", "VARCHAR"},
		"raw":          {"STRING", "STRING", "VARCHAR"},
		"geom":         {"STRING", "STRING", "VARCHAR"},
		"users_sketch": {"STRING", "STRING", "VARCHAR"},
	}
	avro := map[string]want{
		"tiny":         {"INT", "INT", "INTEGER"},
		"flag":         {"INT", "INT", "INTEGER"},
		"small":        {"INT", "INT", "INTEGER"},
		"tiny_u":       {"INT", "INT", "INTEGER"},
		"yr":           {"INT", "INT", "INTEGER"},
		"created_at":   {"BIGINT", "BIGINT", "BIGINT"},
		"updated_at":   {"BIGINT", "BIGINT", "BIGINT"},
		"window_start": {"BIGINT", "BIGINT", "BIGINT"},
	}
	var cols []Column
	for _, f := range importSchema(t, allMySQLColumns()).Fields() {
		logical, _ := f.Metadata.GetValue(meta.Logical)
		cols = append(cols, Column{Name: f.Name, Type: f.Type, Logical: logical})
	}
	for _, f := range aggregateSchema().Fields() {
		cols = append(cols, Column{Name: f.Name, Type: f.Type})
	}
	o := DefaultOptions()
	for _, f := range []Format{Parquet, Text, Avro} {
		for _, c := range cols {
			w, ok := parquet[c.Name]
			if !ok {
				t.Fatalf("no expectation for column %s (%s)", c.Name, c.Type)
			}
			if f == Text {
				if tw, ok := text[c.Name]; ok {
					w = tw
				}
			}
			if f == Avro {
				if aw, ok := avro[c.Name]; ok {
					w = aw
				}
			}
			for _, d := range Dialects {
				got, _, err := d.columnType(f, c, o)
				if err != nil {
					t.Errorf("%s %s %s (%s): %v", f, d, c.Name, c.Type, err)
					continue
				}
				exp := map[Dialect]string{Hive: w.hive, Spark: w.spark, Trino: w.trino}[d]
				if got != exp {
					t.Errorf("%s %s: column %s (%s) is %s, want %s", f, d, c.Name, c.Type, got, exp)
				}
			}
		}
	}
}

func TestTypeMappingOptionsAndNotes(t *testing.T) {
	o := DefaultOptions()
	o.TrinoTimestampPrecision = 3
	ts := Column{Name: "at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}}
	if got, _, _ := Trino.columnType(Parquet, ts, o); got != "TIMESTAMP(3)" {
		t.Errorf("Trino at precision 3: %s", got)
	}
	if _, note, _ := Hive.columnType(Avro, ts, o); !strings.Contains(note, "microseconds") {
		t.Errorf("an Avro timestamp's note %q does not say microseconds", note)
	}
	if typ, note, _ := Hive.columnType(Text, Column{Name: "b", Type: arrow.FixedWidthTypes.Boolean}, o); typ != "TINYINT" || note == "" {
		t.Errorf("a text boolean is %s (%q), want TINYINT with a note", typ, note)
	}
}

func TestUnsupportedTypes(t *testing.T) {
	for _, typ := range []arrow.DataType{
		&arrow.Decimal128Type{Precision: 39, Scale: 0},
		&arrow.Decimal128Type{Precision: 10, Scale: -1},
		&arrow.Decimal256Type{Precision: 50, Scale: 2},
		&arrow.TimestampType{Unit: arrow.Nanosecond},
		&arrow.TimestampType{Unit: arrow.Second},
		&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "Europe/Berlin"},
		arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64),
		arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64}),
		arrow.Null,
		&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String},
		arrow.ListOf(arrow.Null),
		arrow.FixedWidthTypes.Date64,
	} {
		for _, d := range Dialects {
			_, _, err := d.columnType(Parquet, Column{Name: "c", Type: typ}, DefaultOptions())
			if !errors.Is(err, ErrUnsupportedType) || !strings.Contains(err.Error(), `column "c"`) {
				t.Errorf("%s %s: err = %v, want ErrUnsupportedType naming the column", d, typ, err)
			}
		}
	}
}
