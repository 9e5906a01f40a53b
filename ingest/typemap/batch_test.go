package typemap

import (
	"database/sql/driver"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/ingest/source"
)

// batchOf plans one nullable column of the given type.
func batchOf(t *testing.T, dataType, columnType string, unsigned bool) *Batch {
	t.Helper()
	m, err := Plan(source.Column{Name: "c", DataType: dataType, ColumnType: columnType, Nullable: true, Unsigned: unsigned, Precision: 10, Scale: 2}, ZeroDateNull)
	if err != nil {
		t.Fatal(err)
	}
	return NewBatch(memory.NewGoAllocator(), []Mapping{m}, Policies{})
}

// The driver hands numeric columns over already parsed; they must land
// exactly as their text would, with the same range checks.
func TestAppendRowDriverValues(t *testing.T) {
	tests := []struct {
		dataType, columnType string
		unsigned             bool
		in                   driver.Value
		want                 string // the Arrow value as text, or "error: ..."
	}{
		{"tinyint", "tinyint(4)", false, int64(-128), "-128"},
		{"tinyint", "tinyint(1)", false, int64(1), "1"},
		{"tinyint", "tinyint(4)", false, int64(128), "error: out of TINYINT range"},
		{"tinyint", "tinyint(3) unsigned", true, int64(255), "255"},
		{"tinyint", "tinyint(3) unsigned", true, int64(-1), "error: out of UNSIGNED range"},
		{"int", "int(10) unsigned", true, int64(math.MaxUint32), "4294967295"},
		{"bigint", "bigint(20)", false, int64(math.MinInt64), "-9223372036854775808"},
		{"bigint", "bigint(20) unsigned", true, uint64(math.MaxUint64), "18446744073709551615"},
		{"bigint", "bigint(20)", false, uint64(math.MaxUint64), "error: out of BIGINT range"},
		{"double", "double", false, 0.30000000000000004, "0.30000000000000004"},
		{"double", "double", false, math.SmallestNonzeroFloat64, "5e-324"},
		{"float", "float", false, float64(float32(0.1)), "0.1"},
		{"float", "float", false, float64(float32(3.4028235e38)), "3.4028235e+38"},
		{"year", "year(4)", false, int64(2155), "2155"},
		{"year", "year(4)", false, int64(2156), "error: bad YEAR"},
		{"decimal", "decimal(10,2)", false, []byte("-12345678.90"), "-12345678.9"}, // Arrow prints the shortest form
		{"bigint", "bigint(20)", false, []byte("42"), "42"},
		{"varchar", "varchar(10)", false, int64(7), "7"},
		{"int", "int(11)", false, nil, "(null)"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s=%v", tt.columnType, tt.in), func(t *testing.T) {
			b := batchOf(t, tt.dataType, tt.columnType, tt.unsigned)
			defer b.Release()
			err := b.AppendRow([]driver.Value{tt.in})
			if want, ok := strings.CutPrefix(tt.want, "error: "); ok {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("err = %v, want one containing %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			rec := b.Flush()
			defer rec.Release()
			if got := rec.Column(0).ValueStr(0); got != tt.want {
				t.Errorf("value = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTextOf(t *testing.T) {
	for _, tt := range []struct {
		in   driver.Value
		want string
	}{
		{int64(-5), "-5"}, {uint64(math.MaxUint64), "18446744073709551615"},
		{0.1, "0.1"}, {float32(0.1), "0.1"}, {[]byte("x"), "x"}, {"s", "s"},
	} {
		if got := string(TextOf(tt.in)); got != tt.want {
			t.Errorf("TextOf(%#v) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if TextOf(nil) != nil {
		t.Error("TextOf(nil) is not nil")
	}
}
