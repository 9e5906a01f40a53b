package typemap

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hetl/hetl/ingest/meta"
	"github.com/hetl/hetl/ingest/source"
)

// ReadBack is the mapping that decodes the text hetl's text writer prints
// for field f (MySQL's own text for every type, except BIT, printed as a
// number, and GEOMETRY, as WKB bytes without MySQL's SRID prefix) back
// into the same Arrow type.
func ReadBack(f arrow.Field) (Mapping, error) {
	m := Mapping{Column: source.Column{Name: f.Name, Nullable: f.Nullable}, Field: f}
	logical, _ := f.Metadata.GetValue(meta.Logical)
	switch dt := f.Type.(type) {
	case *arrow.Int8Type, *arrow.Int32Type:
		m.Kind = KindInt
	case *arrow.Int16Type:
		m.Kind = KindInt
		if logical == "year" {
			m.Kind = KindYear
		}
	case *arrow.Int64Type:
		m.Kind = KindInt
		if logical == "time_us" {
			m.Kind = KindTime
		}
	case *arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type:
		m.Kind = KindUint
	case *arrow.Float32Type:
		m.Kind = KindFloat32
	case *arrow.Float64Type:
		m.Kind = KindFloat64
	case *arrow.Decimal128Type:
		m.Kind = KindDecimal
	case *arrow.Date32Type:
		m.Kind = KindDate
	case *arrow.TimestampType:
		if dt.Unit != arrow.Microsecond {
			return m, fmt.Errorf("column %s: %s: only microsecond timestamps are read back", f.Name, dt)
		}
		m.Kind = KindDatetime
	case *arrow.StringType:
		m.Kind = KindString
		if logical == "decimal_text" {
			m.Kind = KindDecimalText
		}
	case *arrow.BinaryType:
		m.Kind = KindBinary
	case *arrow.ListType:
		if dt.Elem().ID() != arrow.STRING {
			return m, fmt.Errorf("column %s: cannot read back %s (only list<utf8>, a MySQL SET)", f.Name, dt)
		}
		m.Kind = KindSet
	default:
		return m, fmt.Errorf("column %s: cannot read back Arrow type %s", f.Name, f.Type)
	}
	return m, nil
}
