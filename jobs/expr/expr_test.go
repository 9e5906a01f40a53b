package expr

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// testBatch has 4 rows; the last is all NULL.
func testBatch(t *testing.T) arrow.RecordBatch {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "big", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "Mixed Case", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
	}, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer rb.Release()
	valid := []bool{true, true, true, false}
	rb.Field(0).(*array.Int32Builder).AppendValues([]int32{5, -3, 200, 0}, valid)
	rb.Field(1).(*array.Int64Builder).AppendValues([]int64{9223372036854775807, 1, 0, 0}, valid)
	rb.Field(2).(*array.Float64Builder).AppendValues([]float64{1.5, -2, 0, 0}, valid)
	rb.Field(3).(*array.StringBuilder).AppendValues([]string{"  Hello World ", "login_failed", "user bob@example.com from 10.0.0.1", ""}, valid)
	ts := func(s string) arrow.Timestamp {
		v, _ := arrow.TimestampFromString(s, arrow.Microsecond)
		return v
	}
	rb.Field(4).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{ts("2026-11-21T10:17:03.5"), ts("2026-11-21T10:59:59"), ts("1969-12-31T23:30:00"), 0}, valid)
	rb.Field(5).(*array.Int16Builder).AppendValues([]int16{1, 2, 3, 0}, valid)
	rec := rb.NewRecordBatch()
	t.Cleanup(rec.Release)
	return rec
}

func TestEval(t *testing.T) {
	rec := testBatch(t)
	tests := []struct {
		src  string
		typ  string
		want string // the result array printed
	}{
		{"n * 2 + 1", "int64", "[11 -5 401 (null)]"},
		{"n / 2", "float64", "[2.5 -1.5 100 (null)]"},
		{"n % 3", "int64", "[2 0 2 (null)]"},
		{"n / 0", "float64", "[(null) (null) (null) (null)]"},
		{"f * n", "float64", "[7.5 6 0 (null)]"},
		{"-n", "int64", "[-5 3 -200 (null)]"},
		{"n > 0 AND f > 0", "bool", "[true false false (null)]"},
		{"n > 0 OR s IS NULL", "bool", "[true false true true]"},
		{"NULL AND FALSE", "bool", "[false false false false]"},
		{"NULL OR TRUE", "bool", "[true true true true]"},
		{"NOT (n > 0)", "bool", "[false true false (null)]"},
		{"s IS NOT NULL", "bool", "[true true true false]"},
		{"n IN (5, 200)", "bool", "[true false true (null)]"},
		{"n NOT IN (5, NULL)", "bool", "[false (null) (null) (null)]"},
		{"n BETWEEN 1 AND 2", "", "unexpected"},
		{"s LIKE 'login%'", "bool", "[false true false (null)]"},
		{"s NOT LIKE '%@%'", "bool", "[true true false (null)]"},
		{"trim(s)", "utf8", `["Hello World" "login_failed" "user bob@example.com from 10.0.0.1" (null)]`},
		{"upper(trim(s)) || '!'", "utf8", `["HELLO WORLD!" "LOGIN_FAILED!" "USER BOB@EXAMPLE.COM FROM 10.0.0.1!" (null)]`},
		{"length(s)", "int64", "[14 12 34 (null)]"},
		{"substr(s, 1, 5)", "utf8", `["  Hel" "login" "user " (null)]`},
		{"substr(s, -6)", "utf8", `["World " "failed" ".0.0.1" (null)]`},
		{"concat(s, 'x', NULL)", "utf8", "[(null) (null) (null) (null)]"},
		{"coalesce(n, 7)", "int64", "[5 -3 200 7]"},
		{"coalesce(f, n)", "float64", "[1.5 -2 0 (null)]"},
		{"IF(n > 0, 'pos', 'neg')", "utf8", `["pos" "neg" "pos" "neg"]`},
		{"CASE WHEN n >= 100 THEN 'slow' WHEN n >= 0 THEN 'fast' END", "utf8", `["fast" (null) "slow" (null)]`},
		{"CASE n WHEN 5 THEN 1 ELSE 2.5 END", "float64", "[1 2.5 2.5 2.5]"},
		{"regexp_like(s, '^login')", "bool", "[false true false (null)]"},
		{"regexp_extract(s, '([a-z]+)@([a-z.]+)', 2)", "utf8", `[(null) (null) "example.com" (null)]`},
		{"abs(n)", "int64", "[5 3 200 (null)]"},
		{"round(f / 3, 2)", "float64", "[0.5 -0.67 0 (null)]"},
		{"hour(at)", "int64", "[10 10 23 (null)]"},
		{"date_trunc('hour', at)", "timestamp[us, tz=UTC]", "[1795255200000000 1795255200000000 -3600000000 (null)]"},
		{"at >= '2026-11-21 10:30:00'", "bool", "[false true false (null)]"},
		{"`Mixed Case` + N", "int64", "[6 -1 203 (null)]"},
		{"big + 1", "", "overflows BIGINT"},
		{"big * 2", "", "overflows BIGINT"},
		{"nope + 1", "", `no column "nope"`},
		{"s + 1", "", "needs numbers"},
		{"n = 'x'", "", "cannot compare"},
		{"frobnicate(n)", "", "unknown function FROBNICATE"},
		{"regexp_like(s, '(')", "", "bad pattern"},
		{"n > ", "", "ends too early"},
		{"'open", "", "unterminated string"},
		{"CASE WHEN n THEN 1 END", "", "WHEN needs a BOOLEAN"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			p, err := CompileString(tt.src, rec.Schema(), nil)
			if err == nil {
				var out arrow.Array
				out, err = p.Eval(rec, memory.DefaultAllocator)
				if err == nil {
					defer out.Release()
					if tt.typ == "" {
						t.Fatalf("got %v, want an error containing %q", out, tt.want)
					}
					if out.DataType().String() != tt.typ || out.String() != tt.want {
						t.Errorf("%s = %s %s, want %s %s", tt.src, out.DataType(), out, tt.typ, tt.want)
					}
					return
				}
			}
			if tt.typ != "" || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: error %v, want %q", tt.src, err, tt.want)
			}
		})
	}
}

// The same rows evaluated in one batch or in slices give the same values.
func TestBatchIndependence(t *testing.T) {
	rec := testBatch(t)
	p, err := CompileString("IF(n > 0, concat(trim(s), '/', 'x'), 'none')", rec.Schema(), nil)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := p.Eval(rec, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer whole.Release()
	for i := range rec.NumRows() {
		s := rec.NewSlice(i, i+1)
		part, err := p.Eval(s, nil)
		s.Release()
		if err != nil {
			t.Fatal(err)
		}
		w := array.NewSlice(whole, i, i+1)
		if !array.Equal(part, w) {
			t.Errorf("row %d: %v vs %v", i, part, w)
		}
		w.Release()
		part.Release()
	}
}

func TestUserFunction(t *testing.T) {
	rec := testBatch(t)
	reg := NewRegistry()
	double := Func{Args: []arrow.DataType{arrow.PrimitiveTypes.Int64}, Result: arrow.PrimitiveTypes.Int64,
		Eval: func(args []arrow.Array, n int, mem memory.Allocator) (arrow.Array, error) {
			b := array.NewInt64Builder(mem)
			defer b.Release()
			in := args[0].(*array.Int64)
			for i := range n {
				if in.IsNull(i) {
					b.AppendNull()
				} else {
					b.Append(in.Value(i) * 2)
				}
			}
			return b.NewArray(), nil
		}}
	if err := reg.Register("twice", double); err != nil {
		t.Fatal(err)
	}
	if err := reg.Register("TWICE", double); err == nil {
		t.Error("registered twice")
	}
	if err := reg.Register("lower", double); err == nil {
		t.Error("replaced a built-in")
	}
	p, err := CompileString("twice(n) + 1", rec.Schema(), reg)
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Eval(rec, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if out.String() != "[11 -5 401 (null)]" {
		t.Errorf("twice(n) + 1 = %v", out)
	}
	if _, err := CompileString("twice(s)", rec.Schema(), reg); err == nil {
		t.Error("twice(VARCHAR) compiled")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"a + 1", "CASE WHEN x IS NULL THEN 'a''b' ELSE `c` END", "f(x, -2.5e3) NOT IN (1, 2)", "NOT a LIKE 'x%' OR b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(e.String())
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", s, e.String(), err)
		}
		if again.String() != e.String() {
			t.Fatalf("%q: %q then %q", s, e.String(), again.String())
		}
	})
}

func TestIntBounds(t *testing.T) {
	show := func(bs []Bound) string {
		var parts []string
		for _, b := range bs {
			lo, hi := "-", "-"
			if b.Lo != nil {
				lo = fmt.Sprint(*b.Lo)
			}
			if b.Hi != nil {
				hi = fmt.Sprint(*b.Hi)
			}
			parts = append(parts, b.Column+"["+lo+","+hi+"]")
		}
		return strings.Join(parts, " ")
	}
	for src, want := range map[string]string{
		"status >= 500":                       "status[500,-]",
		"status >= 400 AND status < 500":      "status[400,-] status[-,499]",
		"100 > latency_ms":                    "latency_ms[-,99]",
		"id = -3 AND s LIKE 'x%'":             "id[-3,-3]",
		"status >= 500 OR latency_ms > 1000":  "",
		"NOT (status < 500)":                  "",
		"status + 1 > 500":                    "",
		"f > 1.5":                             "",
		"`Mixed Case` <= 9223372036854775807": "Mixed Case[-,9223372036854775807]",
	} {
		e, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		if got := show(IntBounds(e)); got != want {
			t.Errorf("%s: %q, want %q", src, got, want)
		}
	}
}
