package pii

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func md(kv ...string) arrow.Metadata {
	var keys, vals []string
	for i := 0; i < len(kv); i += 2 {
		keys, vals = append(keys, kv[i]), append(vals, kv[i+1])
	}
	return arrow.NewMetadata(keys, vals)
}

// testSchema looks like a typemap schema of a users table.
func testSchema() *arrow.Schema {
	smd := md("hetl.table", "shop.users")
	return arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Metadata: md("mysql.type", "bigint")},
		{Name: "Email", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: md("mysql.type", "varchar(255)")},
		{Name: "phone", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "ip", Type: arrow.BinaryTypes.Binary, Nullable: true, Metadata: md("mysql.type", "varbinary(16)")},
		{Name: "note", Type: arrow.BinaryTypes.LargeString, Nullable: true, Metadata: md("mysql.type", "json", "hetl.logical", "json")},
		{Name: "prefs", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: md("mysql.type", "json", "hetl.logical", "json")},
	}, &smd)
}

func TestNewPlanErrors(t *testing.T) {
	k := testKey(t)
	var zero Key
	tests := []struct {
		name    string
		rules   []Rule
		key     *Key
		wantErr string
	}{
		{"unknown column", []Rule{{"email", Hash}, {"nope", Mask}}, &k, "--pii nope=mask: no column nope in the import"},
		{"hash an integer", []Rule{{"id", Hash}}, &k, "--pii id=hash: column id is int64; only text and binary columns"},
		{"mask an integer", []Rule{{"ID", Mask}}, &k, "column id is int64"},
		{"scrub an integer", []Rule{{"id", Scrub}}, &k, "column id is int64"},
		{"hash without key", []Rule{{"email", Hash}}, nil, "--pii email=hash needs a key: --pii-key-file or --pii-key-env"},
		{"scrub without key", []Rule{{"note", Scrub}}, nil, "--pii note=scrub needs a key"},
		{"zero key", []Rule{{"email", Hash}}, &zero, "--pii email=hash needs a key"},
		{"two rules", []Rule{{"email", Hash}, {"EMAIL", Mask}}, &k, "--pii EMAIL=mask: column Email already has a rule (hash)"},
		{"bad action", []Rule{{"email", "encrypt"}}, &k, `unknown action "encrypt"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewPlan(testSchema(), tt.rules, tt.key)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("NewPlan error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestNewPlanWithoutKey(t *testing.T) {
	// Drop and mask need no key, and drop works on any type.
	p, err := NewPlan(testSchema(), []Rule{{"id", Drop}, {"email", Mask}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Schema().Field(0).Name; got != "Email" {
		t.Errorf("first field %s", got)
	}
}

func TestPlanSchema(t *testing.T) {
	k := testKey(t)
	in := testSchema()
	inText := in.String()
	p, err := NewPlan(in, []Rule{{"email", Hash}, {"phone", Drop}, {"ip", Mask}, {"note", Scrub}, {"prefs", Hash}}, &k)
	if err != nil {
		t.Fatal(err)
	}
	fp := k.Fingerprint()
	want := []struct {
		name string
		typ  arrow.DataType
		md   arrow.Metadata
	}{
		{"id", arrow.PrimitiveTypes.Int64, md("mysql.type", "bigint")},
		{"Email", arrow.BinaryTypes.String, md("mysql.type", "varchar(255)", "hetl.pii", "hash:"+fp)},
		{"ip", arrow.BinaryTypes.String, md("mysql.type", "varbinary(16)", "hetl.pii", "mask")},
		// Scrubbed text stays JSON; a hash of JSON is not.
		{"note", arrow.BinaryTypes.LargeString, md("mysql.type", "json", "hetl.logical", "json", "hetl.pii", "scrub:"+fp)},
		{"prefs", arrow.BinaryTypes.String, md("mysql.type", "json", "hetl.pii", "hash:"+fp)},
	}
	out := p.Schema()
	if out.NumFields() != len(want) {
		t.Fatalf("schema %s", out)
	}
	for i, w := range want {
		t.Run(w.name, func(t *testing.T) {
			f := out.Field(i)
			if f.Name != w.name || !arrow.TypeEqual(f.Type, w.typ) || !f.Metadata.Equal(w.md) {
				t.Errorf("field %d = %s %s %v, want %s %s %v", i, f.Name, f.Type, f.Metadata, w.name, w.typ, w.md)
			}
		})
	}
	if v, _ := out.Metadata().GetValue("hetl.table"); v != "shop.users" {
		t.Errorf("schema metadata lost: %v", out.Metadata())
	}
	if in.String() != inText {
		t.Errorf("input schema changed")
	}
	if strings.Contains(out.String(), secret) {
		t.Errorf("schema shows the key")
	}
}

func testRecord(mem memory.Allocator) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, testSchema())
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2, 3}, nil)
	b.Field(1).(*array.StringBuilder).AppendValues([]string{"a@x.org", "", ""}, []bool{true, false, true})
	b.Field(2).(*array.StringBuilder).AppendValues([]string{"555-1234567", "", "x"}, []bool{true, false, true})
	b.Field(3).(*array.BinaryBuilder).AppendValues([][]byte{[]byte("10.9.8.7"), nil, {0xff, 'a'}}, []bool{true, false, true})
	b.Field(4).(*array.LargeStringBuilder).AppendValues([]string{`{"m":"from 10.1.2.3"}`, "", "plain"}, []bool{true, false, true})
	b.Field(5).(*array.StringBuilder).AppendValues([]string{"", "", `{}`}, []bool{false, false, true})
	return b.NewRecordBatch()
}

func TestApply(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	k := testKey(t)
	p, err := NewPlan(testSchema(), []Rule{{"email", Hash}, {"phone", Drop}, {"ip", Mask}, {"note", Scrub}, {"prefs", Hash}}, &k)
	if err != nil {
		t.Fatal(err)
	}
	p.mem = mem
	rec := testRecord(mem)
	defer rec.Release()
	out, err := p.Apply(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()

	if !out.Schema().Equal(p.Schema()) || out.NumRows() != 3 || out.NumCols() != 5 {
		t.Fatalf("record %v", out)
	}
	if out.Column(0) != rec.Column(0) {
		t.Error("kept column was copied")
	}
	h := k.HashString
	want := map[string][]*string{
		"Email": {ptr(h("a@x.org")), nil, ptr(h(""))},
		"ip":    {ptr("10.9.8.0/24"), nil, ptr("\uFFFD*")},
		"note":  {ptr(`{"m":"from <h:` + h("10.1.2.3")[:16] + `>"}`), nil, ptr("plain")},
		"prefs": {nil, nil, ptr(h("{}"))},
	}
	for i, f := range out.Schema().Fields() {
		w, ok := want[f.Name]
		if !ok {
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			col := out.Column(i)
			for row, wv := range w {
				switch {
				case wv == nil && !col.IsNull(row):
					t.Errorf("row %d = %q, want NULL", row, col.ValueStr(row))
				case wv != nil && (col.IsNull(row) || col.ValueStr(row) != *wv):
					t.Errorf("row %d = %q (null %v), want %q", row, col.ValueStr(row), col.IsNull(row), *wv)
				}
			}
		})
	}
}

func TestApplyWrongRecord(t *testing.T) {
	k := testKey(t)
	p, err := NewPlan(testSchema(), []Rule{{"email", Hash}}, &k)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		schema  *arrow.Schema
		wantErr string
	}{
		{"fewer columns", arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil), "record has 1 columns, the plan was built for 6"},
		{"other type", arrow.NewSchema(func() []arrow.Field {
			fs := testSchema().Fields()
			fs[1].Type = arrow.PrimitiveTypes.Int32
			return fs
		}(), nil), "column Email is int32, the plan was built for utf8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := array.NewRecordBuilder(memory.DefaultAllocator, tt.schema)
			defer b.Release()
			rec := b.NewRecordBatch()
			defer rec.Release()
			if _, err := p.Apply(rec); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Apply error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestApplyConcurrent(t *testing.T) {
	k := testKey(t)
	p, err := NewPlan(testSchema(), []Rule{{"email", Hash}, {"note", Scrub}}, &k)
	if err != nil {
		t.Fatal(err)
	}
	rec := testRecord(memory.DefaultAllocator)
	defer rec.Release()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				out, err := p.Apply(rec)
				if err != nil {
					t.Error(err)
					return
				}
				if got := out.Column(1).ValueStr(0); got != k.HashString("a@x.org") {
					t.Errorf("hash %s", got)
				}
				out.Release()
			}
		})
	}
	wg.Wait()
}

func TestOne(t *testing.T) {
	k := testKey(t)
	p, err := NewPlan(testSchema(), []Rule{{"email", Hash}}, &k)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		a    Action
		in   string
		want string
	}{
		{Hash, "a@x.org", k.HashString("a@x.org")},
		{Mask, "a@x.org", "*@x.org"},
		{Scrub, "to a@x.org", "to <h:" + k.HashString("a@x.org")[:16] + ">"},
		{Drop, "a@x.org", ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.a), func(t *testing.T) {
			if got := p.One(tt.in, tt.a); got != tt.want {
				t.Errorf("One(%q, %s) = %q, want %q", tt.in, tt.a, got, tt.want)
			}
		})
	}
}

func BenchmarkApplyHash(b *testing.B) {
	k := testKey(b)
	schema := arrow.NewSchema([]arrow.Field{{Name: "email", Type: arrow.BinaryTypes.String}}, nil)
	p, err := NewPlan(schema, []Rule{{"email", Hash}}, &k)
	if err != nil {
		b.Fatal(err)
	}
	bld := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer bld.Release()
	emails := bld.Field(0).(*array.StringBuilder)
	for i := range 64 << 10 {
		emails.Append(fmt.Sprintf("user%d@example.com", i))
	}
	rec := bld.NewRecordBatch()
	defer rec.Release()
	b.ReportAllocs()
	for b.Loop() {
		out, err := p.Apply(rec)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rec.NumRows()), "ns/row")
}
