package typemap

import (
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hetl/hetl/ingest/meta"
	"github.com/hetl/hetl/ingest/source"
)

// ZeroDatePolicy says what happens to zero and invalid dates
// ('0000-00-00', '2024-02-30', '2024-00-10').
type ZeroDatePolicy string

// The zero-date policies.
const (
	ZeroDateNull       ZeroDatePolicy = "null"
	ZeroDateError      ZeroDatePolicy = "error"
	ZeroDateQuarantine ZeroDatePolicy = "quarantine"
)

// ParseZeroDatePolicy accepts null, error and quarantine.
func ParseZeroDatePolicy(s string) (ZeroDatePolicy, error) {
	switch p := ZeroDatePolicy(s); p {
	case ZeroDateNull, ZeroDateError, ZeroDateQuarantine:
		return p, nil
	}
	return "", fmt.Errorf("zero-date policy %q: want null, error or quarantine", s)
}

// Mapping is how one column is carried.
type Mapping struct {
	Column source.Column
	Field  arrow.Field
	// Kind selects the decoder.
	Kind Kind
	// Note explains a mapping a user may not expect (shown by --dry-run).
	Note string
}

// Kind is a decoder family.
type Kind int

// Decoder families.
const (
	KindInt Kind = iota
	KindUint
	KindFloat32
	KindFloat64
	KindDecimal
	KindDecimalText
	KindBit
	KindYear
	KindDate
	KindDatetime
	KindTimestamp
	KindTime
	KindString
	KindBinary
	KindSet
	KindGeometry
)

// Plan maps a column. nullDates makes date columns nullable even when the
// MySQL column is NOT NULL, because the zero-date policy may write NULL.
func Plan(c source.Column, policy ZeroDatePolicy) (Mapping, error) {
	m := Mapping{Column: c}
	md := map[string]string{meta.MySQLType: c.ColumnType}
	nullable := c.Nullable
	var t arrow.DataType
	switch c.DataType {
	case "tinyint":
		t, m.Kind = pick(c.Unsigned, arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Int8)
		if c.ColumnType == "tinyint(1)" {
			m.Note = "TINYINT(1) stays an integer (not a boolean)"
		}
	case "smallint":
		t, m.Kind = pick(c.Unsigned, arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Int16)
	case "mediumint", "int", "integer":
		t, m.Kind = pick(c.Unsigned, arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Int32)
	case "bigint":
		t, m.Kind = pick(c.Unsigned, arrow.PrimitiveTypes.Uint64, arrow.PrimitiveTypes.Int64)
	case "decimal", "numeric":
		if c.Precision > 38 {
			t, m.Kind = arrow.BinaryTypes.String, KindDecimalText
			md[meta.Logical] = "decimal_text"
			m.Note = fmt.Sprintf("DECIMAL(%d,%d) is wider than Parquet's 38 digits: written as its exact text", c.Precision, c.Scale)
		} else {
			p := c.Precision
			if p < 1 {
				p = 1
			}
			t, m.Kind = &arrow.Decimal128Type{Precision: int32(p), Scale: int32(c.Scale)}, KindDecimal
		}
	case "float":
		t, m.Kind = arrow.PrimitiveTypes.Float32, KindFloat32
	case "double", "real":
		t, m.Kind = arrow.PrimitiveTypes.Float64, KindFloat64
	case "bit":
		t, m.Kind = arrow.PrimitiveTypes.Uint64, KindBit
		md[meta.Logical] = "bit"
	case "year":
		t, m.Kind = arrow.PrimitiveTypes.Int16, KindYear
		md[meta.Logical] = "year"
	case "date":
		t, m.Kind = arrow.FixedWidthTypes.Date32, KindDate
		nullable = nullable || policy == ZeroDateNull
	case "datetime":
		t, m.Kind = &arrow.TimestampType{Unit: arrow.Microsecond}, KindDatetime
		md[meta.FSP] = strconv.Itoa(c.FSP)
		nullable = nullable || policy == ZeroDateNull
	case "timestamp":
		t, m.Kind = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, KindTimestamp
		md[meta.FSP] = strconv.Itoa(c.FSP)
		nullable = nullable || policy == ZeroDateNull
	case "time":
		t, m.Kind = arrow.PrimitiveTypes.Int64, KindTime
		md[meta.FSP] = strconv.Itoa(c.FSP)
		md[meta.Logical] = "time_us"
		m.Note = "TIME as signed microseconds (range ±838:59:59)"
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum":
		t, m.Kind = arrow.BinaryTypes.String, KindString
	case "json":
		t, m.Kind = arrow.BinaryTypes.String, KindString
		md[meta.Logical] = "json"
	case "set":
		t, m.Kind = arrow.ListOf(arrow.BinaryTypes.String), KindSet
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		t, m.Kind = arrow.BinaryTypes.Binary, KindBinary
	case "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection", "geomcollection":
		t, m.Kind = arrow.BinaryTypes.Binary, KindGeometry
		md[meta.Logical] = "wkb"
		m.Note = "GEOMETRY as WKB (the SRID prefix is dropped)"
	default:
		return Mapping{}, fmt.Errorf("column %s: MySQL type %s is not supported; leave it out with --columns or convert it in --query", c.Name, c.ColumnType)
	}
	m.Field = arrow.Field{Name: c.Name, Type: t, Nullable: nullable, Metadata: arrow.MetadataFrom(md)}
	return m, nil
}

func pick(unsigned bool, u, s arrow.DataType) (arrow.DataType, Kind) {
	if unsigned {
		return u, KindUint
	}
	return s, KindInt
}

// Schema builds the Arrow schema of a list of mappings.
func Schema(ms []Mapping, meta map[string]string) *arrow.Schema {
	fields := make([]arrow.Field, len(ms))
	for i, m := range ms {
		fields[i] = m.Field
	}
	if meta == nil {
		return arrow.NewSchema(fields, nil)
	}
	md := arrow.MetadataFrom(meta)
	return arrow.NewSchema(fields, &md)
}
