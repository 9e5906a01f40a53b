package expr

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// twice doubles a BIGINT, NULL staying NULL.
var twice = Func{
	Args:   []arrow.DataType{arrow.PrimitiveTypes.Int64},
	Result: arrow.PrimitiveTypes.Int64,
	Doc:    "x * 2",
	Eval: func(args []arrow.Array, n int, mem memory.Allocator) (arrow.Array, error) {
		in := args[0].(*array.Int64)
		b := array.NewInt64Builder(mem)
		defer b.Release()
		for i := range n {
			if in.IsNull(i) {
				b.AppendNull()
			} else {
				b.Append(in.Value(i) * 2)
			}
		}
		return b.NewArray(), nil
	},
}

func testRegistry(t *testing.T) *Registry {
	t.Helper()
	reg := NewRegistry()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(reg.Register("twice", twice))
	// set_size counts a SET's members.
	must(reg.Register("set_size", Func{
		Args:   []arrow.DataType{arrow.ListOf(arrow.BinaryTypes.String)},
		Result: arrow.PrimitiveTypes.Int64,
		Eval: func(args []arrow.Array, n int, mem memory.Allocator) (arrow.Array, error) {
			l := args[0].(*array.List)
			b := array.NewInt64Builder(mem)
			defer b.Release()
			for i := range n {
				if l.IsNull(i) {
					b.AppendNull()
					continue
				}
				start, end := l.ValueOffsets(i)
				b.Append(end - start)
			}
			return b.NewArray(), nil
		},
	}))
	// byte_len measures BINARY values.
	must(reg.Register("Byte_Len", Func{
		Args:   []arrow.DataType{arrow.BinaryTypes.Binary},
		Result: arrow.PrimitiveTypes.Int64,
		Eval: func(args []arrow.Array, n int, mem memory.Allocator) (arrow.Array, error) {
			in := args[0].(*array.Binary)
			b := array.NewInt64Builder(mem)
			defer b.Release()
			for i := range n {
				if in.IsNull(i) {
					b.AppendNull()
				} else {
					b.Append(int64(len(in.Value(i))))
				}
			}
			return b.NewArray(), nil
		},
	}))
	// hours_since takes a TIMESTAMP and a DOUBLE, for argument conversion.
	must(reg.Register("hours_since", Func{
		Args:   []arrow.DataType{tsUTC, arrow.PrimitiveTypes.Float64},
		Result: arrow.PrimitiveTypes.Float64,
		Eval: func(args []arrow.Array, n int, mem memory.Allocator) (arrow.Array, error) {
			at, base := args[0].(*array.Timestamp), args[1].(*array.Float64)
			b := array.NewFloat64Builder(mem)
			defer b.Release()
			for i := range n {
				if at.IsNull(i) || base.IsNull(i) {
					b.AppendNull()
				} else {
					b.Append(float64(at.Value(i))/3.6e9 - base.Value(i))
				}
			}
			return b.NewArray(), nil
		},
	}))
	// sqrt_strict fails on a negative value: guarded calls must not see one.
	must(reg.Register("sqrt_strict", Func{
		Args:   []arrow.DataType{arrow.PrimitiveTypes.Int64},
		Result: arrow.PrimitiveTypes.Float64,
		Eval: func(args []arrow.Array, n int, mem memory.Allocator) (arrow.Array, error) {
			in := args[0].(*array.Int64)
			b := array.NewFloat64Builder(mem)
			defer b.Release()
			for i := range n {
				switch {
				case in.IsNull(i):
					b.AppendNull()
				case in.Value(i) < 0:
					return nil, fmt.Errorf("negative %d", in.Value(i))
				default:
					b.Append(math.Sqrt(float64(in.Value(i))))
				}
			}
			return b.NewArray(), nil
		},
	}))
	must(reg.Register("fails", Func{
		Args: []arrow.DataType{arrow.BinaryTypes.String}, Result: arrow.BinaryTypes.String,
		Eval: func([]arrow.Array, int, memory.Allocator) (arrow.Array, error) {
			return nil, errors.New("service down")
		},
	}))
	must(reg.Register("short", Func{
		Result: arrow.PrimitiveTypes.Int64,
		Eval: func(_ []arrow.Array, n int, mem memory.Allocator) (arrow.Array, error) {
			b := array.NewInt64Builder(mem)
			defer b.Release()
			b.Append(1)
			return b.NewArray(), nil
		},
	}))
	return reg
}

func TestUserFunctions(t *testing.T) {
	rec := testBatch(t)
	reg := testRegistry(t)
	runCases(t, rec, reg, []evalCase{
		{"twice(n) + 1", i64, "[11 -5 401 1 (null)]"},
		{"TWICE(twice(u8))", i64, "[1020 0 4 8 (null)]"},
		{"twice(NULL)", i64, "[(null) (null) (null) (null) (null)]"},
		{"set_size(tags)", i64, "[2 0 1 1 (null)]"},
		{"byte_len(bin)", i64, "[2 3 0 3 (null)]"},
		{"hours_since(at, 0) > 0", boo, "[true true false true (null)]"},
		{"hours_since(dt, n) > 0", boo, "[true true false true (null)]"}, // BIGINT widens to DOUBLE; the zone is a label
		{"twice(s)", "", "position 7: TWICE: argument 1 is VARCHAR, want BIGINT"},
		{"twice(f)", "", "TWICE: argument 1 is DOUBLE, want BIGINT"},
		{"twice(n, n)", "", "TWICE takes 1 argument, got 2"},
		{"set_size(s)", "", "SET_SIZE: argument 1 is VARCHAR"},
		{"fails(s)", "", "position 1: FAILS: service down"},
		{"IF(n >= 0, sqrt_strict(n * 5), -1)", f64, "[5 -1 31.622776601683793 0 -1]"},
		{"n >= 0 AND sqrt_strict(n) > 2", boo, "[true false true false (null)]"},
		{"sqrt_strict(n)", "", "SQRT_STRICT: negative -3"},
		{"short()", "", "SHORT returned 1 rows of int64, want 5 of int64"},
	})
	if _, _, err := evalString(rec, "twice(n)", nil); err == nil || !strings.Contains(err.Error(), "unknown function TWICE") {
		t.Errorf("twice without a registry: %v", err)
	}
	if got := strings.Join(reg.Names(), " "); got != "BYTE_LEN FAILS HOURS_SINCE SET_SIZE SHORT SQRT_STRICT TWICE" {
		t.Errorf("Names() = %s", got)
	}
}

func TestRegister(t *testing.T) {
	reg := NewRegistry()
	if err := reg.Register("twice", twice); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		f    Func
		want string
	}{
		{"TWICE", twice, "already registered"},
		{"lower", twice, "LOWER is built in"},
		{"If", twice, "IF is built in"},
		{"coalesce", twice, "COALESCE is built in"},
		{"cast", twice, "CAST is built in"},
		{"and", twice, "AND is built in"},
		{"my func", twice, "want [A-Za-z_][A-Za-z0-9_]*"},
		{"", twice, "want [A-Za-z_]"},
		{"1x", twice, "want [A-Za-z_]"},
		{"noeval", Func{Result: arrow.PrimitiveTypes.Int64}, "Eval and Result are required"},
		{"int32", Func{Result: arrow.PrimitiveTypes.Int32, Eval: twice.Eval}, "result type int32 is not"},
		{"nanos", Func{Args: []arrow.DataType{&arrow.TimestampType{Unit: arrow.Nanosecond}}, Result: arrow.PrimitiveTypes.Int64, Eval: twice.Eval}, "argument 1"},
		{"ms", Func{Args: []arrow.DataType{&arrow.TimestampType{Unit: arrow.Millisecond}}, Result: arrow.PrimitiveTypes.Int64, Eval: twice.Eval}, "microseconds"},
		{"f32", Func{Args: []arrow.DataType{arrow.PrimitiveTypes.Float32}, Result: arrow.PrimitiveTypes.Int64, Eval: twice.Eval}, "use float64"},
	} {
		err := reg.Register(tt.name, tt.f)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Register(%q): %v, want %q", tt.name, err, tt.want)
		}
	}
}

// TestNoLeaks: everything Eval allocates is released or handed to the
// caller, Go function arguments and results included.
func TestNoLeaks(t *testing.T) {
	rec := testBatch(t)
	reg := testRegistry(t)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	for _, src := range []string{"n", "price", "at", "s", "twice(n)", "IF(ok, twice(n), 0)", "set_size(tags)",
		"byte_len(bin)", "hours_since(dt, n)", "concat(s, n)", "fails(s)", "short()", "u + 1", "CAST(s AS BIGINT)"} {
		p, err := CompileString(src, rec.Schema(), reg)
		if err != nil {
			t.Fatal(err)
		}
		if out, err := p.Eval(rec, mem); err == nil {
			out.Release()
		}
	}
	mem.AssertSize(t, 0)
}
