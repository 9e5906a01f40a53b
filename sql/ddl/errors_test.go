package ddl

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hetl/hetl/ingest"
)

func TestParseDialect(t *testing.T) {
	for in, want := range map[string]Dialect{"hive": Hive, "Trino": Trino, " SPARK ": Spark} {
		if got, err := ParseDialect(in); err != nil || got != want {
			t.Errorf("ParseDialect(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "presto", "mysql"} {
		if _, err := ParseDialect(in); err == nil || !strings.Contains(err.Error(), "want hive, trino or spark") {
			t.Errorf("ParseDialect(%q): err = %v", in, err)
		}
	}
	if _, err := Dialect("impala").Create(simpleTable(), locOptions()); err == nil {
		t.Error("an unknown dialect printed")
	}
}

func simpleTable() *Table {
	return &Table{Name: "db.t", Dir: "t", Format: Parquet,
		Columns:       []Column{{Name: "a", Type: arrow.PrimitiveTypes.Int64}},
		PartitionKeys: []string{"dt", "hr"},
		Partitions:    []Partition{{Path: "dt=2026-11-21/hr=10", Values: []string{"2026-11-21", "10"}}}}
}

func locOptions() Options {
	o := DefaultOptions()
	o.Location = "hdfs://nn:8020/wh"
	return o
}

// Each table or option is refused, in every dialect, with the sentinel
// and a message naming what is wrong.
func TestRefusals(t *testing.T) {
	type tc struct {
		name    string
		edit    func(*Table, *Options)
		want    error
		message string
		only    Dialect // "" for all
	}
	null, other := "null", `\N`
	cases := []tc{
		{"empty table name", func(t *Table, _ *Options) { t.Name = "" }, ErrBadIdentifier, "not a metastore name", ""},
		{"table name with a dash", func(t *Table, _ *Options) { t.Name = "db.my-table" }, ErrBadIdentifier, `"my-table" is not a metastore name`, ""},
		{"table name with a quote", func(t *Table, _ *Options) { t.Name = "t`x" }, ErrBadIdentifier, "not a metastore name", ""},
		{"three-part name", func(t *Table, _ *Options) { t.Name = "a.b.c" }, ErrBadIdentifier, "want TABLE or SCHEMA.TABLE", ""},
		{"long table name", func(t *Table, _ *Options) { t.Name = strings.Repeat("x", 129) }, ErrBadIdentifier, "at most 128", ""},
		{"empty column name", func(t *Table, _ *Options) { t.Columns[0].Name = "" }, ErrBadIdentifier, "empty name", ""},
		{"comma in a column name", func(t *Table, _ *Options) { t.Columns[0].Name = "a,b" }, ErrBadIdentifier, "comma", ""},
		{"newline in a column name", func(t *Table, _ *Options) { t.Columns[0].Name = "a\nb" }, ErrBadIdentifier, "control character", ""},
		{"column name not UTF-8", func(t *Table, _ *Options) { t.Columns[0].Name = "a\xff" }, ErrBadIdentifier, "not UTF-8", ""},
		{"long column name", func(t *Table, _ *Options) { t.Columns[0].Name = strings.Repeat("é", 129) }, ErrBadIdentifier, "longer than", ""},
		{"column named like a partition key", func(t *Table, _ *Options) {
			t.Columns = append(t.Columns, Column{Name: "DT", Type: arrow.BinaryTypes.String})
		}, ErrBadIdentifier, `column "DT" has the name of partition key dt`, ""},
		{"columns differing in case", func(t *Table, _ *Options) {
			t.Columns = append(t.Columns, Column{Name: "A", Type: arrow.BinaryTypes.String})
		}, ErrBadIdentifier, "differ only in case", ""},
		{"no columns", func(t *Table, _ *Options) { t.Columns = nil }, ErrBadIdentifier, "no columns", ""},
		{"bad partition key", func(t *Table, _ *Options) { t.PartitionKeys = []string{"d t", "hr"} }, ErrBadIdentifier, "partition key", ""},
		{"unsupported type", func(t *Table, _ *Options) {
			t.Columns[0].Type = &arrow.Decimal128Type{Precision: 40, Scale: 2}
		}, ErrUnsupportedType, `column "a"`, ""},
		{"unknown format", func(t *Table, _ *Options) { t.Format = "orc" }, ErrUnsupportedLayout, `format "orc"`, ""},
		{"no location", func(t *Table, o *Options) { o.Location = "" }, ErrNoLocation, "pass the warehouse's location", ""},
		{"enclosed text", func(t *Table, _ *Options) {
			t.Format = Text
			t.Text = &ingest.TextLayout{FieldsTerminatedBy: ",", LinesTerminatedBy: "\n", EnclosedBy: `"`}
		}, ErrUnsupportedLayout, "enclosing", ""},
		{"text lines not ending in newline", func(t *Table, _ *Options) {
			t.Format = Text
			t.Text = &ingest.TextLayout{FieldsTerminatedBy: ",", LinesTerminatedBy: ";"}
		}, ErrUnsupportedLayout, "lines terminated by", ""},
		{"multi-byte delimiter", func(t *Table, _ *Options) {
			t.Format = Text
			t.Text = &ingest.TextLayout{FieldsTerminatedBy: "é", LinesTerminatedBy: "\n"}
		}, ErrUnsupportedLayout, "one ASCII character", ""},
		{"two NULL texts", func(t *Table, _ *Options) {
			t.Format = Text
			t.Columns = append(t.Columns, Column{Name: "s", Type: arrow.BinaryTypes.String})
			t.Text = &ingest.TextLayout{FieldsTerminatedBy: ",", LinesTerminatedBy: "\n", NullString: &null, NullNonString: &other}
		}, ErrUnsupportedLayout, "one NULL text per table", ""},
		{"escaped text in Trino", func(t *Table, _ *Options) {
			t.Format = Text
			t.Text = &ingest.TextLayout{FieldsTerminatedBy: ",", LinesTerminatedBy: "\n", EscapedBy: `\`}
		}, ErrUnsupportedLayout, "serialization.escape.crlf", Trino},
		{"Avro names colliding", func(t *Table, _ *Options) {
			t.Format = Avro
			t.Columns = append(t.Columns, Column{Name: "a-", Type: arrow.PrimitiveTypes.Int64}, Column{Name: "a_", Type: arrow.PrimitiveTypes.Int64})
		}, ErrBadIdentifier, "both Avro field", ""},
		{"Trino catalog without a schema", func(t *Table, o *Options) { t.Name = "t"; o.TrinoCatalog = "hive" }, ErrBadIdentifier, "SCHEMA.TABLE", Trino},
		{"bad Trino catalog", func(t *Table, o *Options) { o.TrinoCatalog = "hive-prod" }, ErrBadIdentifier, "Trino catalog", ""},
	}
	for _, c := range cases {
		for _, d := range Dialects {
			if c.only != "" && d != c.only {
				continue
			}
			t.Run(c.name+"/"+string(d), func(t *testing.T) {
				tb, o := simpleTable(), locOptions()
				c.edit(tb, &o)
				_, err := d.Script(tb, o)
				if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.message) {
					t.Errorf("err = %v, want %v saying %q", err, c.want, c.message)
				}
			})
		}
	}
	// Trino's sync names the schema; CREATE alone does not need it.
	tb := simpleTable()
	tb.Name = "t"
	if _, err := Trino.Create(tb, locOptions()); err != nil {
		t.Errorf("Trino CREATE without a schema: %v", err)
	}
	if _, err := Trino.AddPartitions(tb, locOptions()); !errors.Is(err, ErrBadIdentifier) || !strings.Contains(err.Error(), "sync_partition_metadata") {
		t.Errorf("Trino partitions without a schema: %v", err)
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, c := range []struct {
		edit func(*Options)
		want string
	}{
		{func(o *Options) { o.PartitionsPerStatement = 0 }, "partitions per statement"},
		{func(o *Options) { o.TrinoTimestampPrecision = 4 }, "want 3, 6 or 9"},
		{func(o *Options) { o.Location = "warehouse/dir" }, "want an absolute path or a URI"},
		{func(o *Options) { o.Location = "hdfs://nn/x\ny" }, "control character"},
	} {
		o := DefaultOptions()
		c.edit(&o)
		if err := o.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate: %v, want %q", err, c.want)
		}
	}
	if err := DefaultOptions().Validate(); err != nil {
		t.Errorf("DefaultOptions: %v", err)
	}
}

func TestLocations(t *testing.T) {
	for _, c := range []struct{ base, dir, want string }{
		{"hdfs://nn:8020/warehouse", "shop/orders", "hdfs://nn:8020/warehouse/shop/orders"},
		{"hdfs://nn:8020/warehouse/", "/shop/orders/", "hdfs://nn:8020/warehouse/shop/orders"},
		{"hdfs:///warehouse", "t", "hdfs:///warehouse/t"},
		{"/data/wh/", "t", "file:/data/wh/t"},
		{"file:///data/wh", "t", "file:///data/wh/t"},
		{"hdfs://nn:8020/", "t", "hdfs://nn:8020/t"},
		{"/data/wh", "", "file:/data/wh"},
	} {
		o := DefaultOptions()
		o.Location = c.base
		got, err := tableLocation(&Table{Name: "t", Dir: c.dir}, o)
		if err != nil || got != c.want {
			t.Errorf("location %q + %q = %q, %v; want %q", c.base, c.dir, got, err, c.want)
		}
	}
	// The table's own location, when no base is given.
	if got, err := tableLocation(&Table{Name: "t", Dir: "t", Location: "file:/wh/t"}, DefaultOptions()); err != nil || got != "file:/wh/t" {
		t.Errorf("table location: %q, %v", got, err)
	}
}

func TestParsePartition(t *testing.T) {
	p, err := ParsePartition("dt=2026-11-21/hr=10", []string{"dt", "hr"})
	if err != nil || p.Values[0] != "2026-11-21" || p.Values[1] != "10" {
		t.Errorf("ParsePartition: %+v, %v", p, err)
	}
	for _, bad := range []string{"dt=2026-11-21", "hr=10/dt=2026-11-21", "dt=2026-11-21/hr=1%3A0", "dt=a b/hr=1", "dt/hr=1"} {
		if _, err := ParsePartition(bad, []string{"dt", "hr"}); err == nil {
			t.Errorf("ParsePartition(%q) accepted", bad)
		}
	}
}

func FuzzParsePartition(f *testing.F) {
	f.Add("dt=2026-11-21/hr=10")
	f.Add("dt=__HIVE_DEFAULT_PARTITION__/hr=__HIVE_DEFAULT_PARTITION__")
	f.Add("dt='x/hr=`")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePartition(s, []string{"dt", "hr"})
		if err != nil {
			return
		}
		// What is accepted prints as a plain literal in every dialect.
		for _, v := range p.Values {
			for _, d := range Dialects {
				if lit := d.literal(v); lit != "'"+v+"'" {
					t.Fatalf("value %q prints as %s in %s", v, lit, d)
				}
			}
		}
	})
}
