package ddl

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// maxDecimalDigits is the widest DECIMAL Hive, Trino and Spark declare.
const maxDecimalDigits = 38

// columnType is the type a dialect declares for a column of a table of
// format f, and a comment when the declared type alone does not say what
// the values mean. The mapping (Hive / Spark / Trino):
//
//	bool                 BOOLEAN                      (text: TINYINT, written 1/0)
//	int8, int16          TINYINT, SMALLINT            (Avro: INT)
//	int32, int64         INT, BIGINT                  (Trino: INTEGER)
//	uint8, uint16        SMALLINT, INT                (the next signed type; Avro: INT)
//	uint32               BIGINT
//	uint64               DECIMAL(20,0)                (18446744073709551615 fits; Spark infers the same)
//	float32, float64     FLOAT, DOUBLE                (Trino: REAL, DOUBLE)
//	decimal128(p,s)      DECIMAL(p,s)                 (p > 38 refused)
//	utf8, large_utf8     STRING                       (Trino: VARCHAR)
//	binary, fixed, large BINARY                       (Trino: VARBINARY; text: STRING)
//	date32               DATE
//	timestamp[ms|us]     TIMESTAMP                    (Spark Parquet, no zone: TIMESTAMP_NTZ;
//	                                                   Trino: TIMESTAMP(Options.TrinoTimestampPrecision);
//	                                                   Avro: BIGINT microseconds)
//	list<T>              ARRAY<T>                     (Trino: ARRAY(T); text: STRING)
//	int64 time_us        BIGINT microseconds          (text: STRING, MySQL's TIME text)
//
// Everything else (timestamps in seconds or nanoseconds or in a zone other
// than UTC, decimal256, maps, structs, dictionaries, ...) is refused with
// ErrUnsupportedType: hetl does not write it, and a guess could read wrong
// values.
func (d Dialect) columnType(f Format, c Column, o Options) (typ, comment string, err error) {
	typ, note, err := d.typeOf(f, c.Type, c.Logical, o)
	if err != nil {
		return "", "", fmt.Errorf("column %q: %w", c.Name, err)
	}
	if note == "" {
		note = logicalNote(c.Logical)
	}
	return typ, note, nil
}

// typeOf maps one Arrow type; logical is the column's hetl.logical.
func (d Dialect) typeOf(f Format, t arrow.DataType, logical string, o Options) (typ, note string, err error) {
	trino := d == Trino
	pick := func(hive, trinoName string) string {
		if trino {
			return trinoName
		}
		return hive
	}
	str, bin := pick("STRING", "VARCHAR"), pick("BINARY", "VARBINARY")
	switch t := t.(type) {
	case *arrow.BooleanType:
		if f == Text {
			return "TINYINT", "boolean written as 1 or 0", nil
		}
		return "BOOLEAN", "", nil
	case *arrow.Int8Type:
		if f == Avro {
			return pick("INT", "INTEGER"), "", nil
		}
		return "TINYINT", "", nil
	case *arrow.Int16Type:
		if f == Avro {
			return pick("INT", "INTEGER"), "", nil
		}
		return "SMALLINT", "", nil
	case *arrow.Uint8Type:
		if f == Avro {
			return pick("INT", "INTEGER"), "", nil
		}
		return "SMALLINT", "", nil
	case *arrow.Int32Type, *arrow.Uint16Type:
		return pick("INT", "INTEGER"), "", nil
	case *arrow.Uint32Type:
		return "BIGINT", "", nil
	case *arrow.Int64Type:
		if logical == "time_us" && f == Text {
			return str, "MySQL TIME text, e.g. -838:59:59.000000", nil
		}
		return "BIGINT", "", nil
	case *arrow.Uint64Type:
		return "DECIMAL(20,0)", "", nil
	case *arrow.Float32Type:
		return pick("FLOAT", "REAL"), "", nil
	case *arrow.Float64Type:
		return "DOUBLE", "", nil
	case *arrow.Decimal128Type:
		if t.Precision < 1 || t.Precision > maxDecimalDigits || t.Scale < 0 || t.Scale > t.Precision {
			return "", "", fmt.Errorf("%s: Hive, Trino and Spark declare DECIMAL(p,s) with 1 <= p <= %d and 0 <= s <= p (hetl writes wider MySQL decimals as their exact text): %w", t, maxDecimalDigits, ErrUnsupportedType)
		}
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale), "", nil
	case *arrow.StringType, *arrow.LargeStringType:
		return str, "", nil
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.FixedSizeBinaryType:
		if f == Text {
			// Hive's text reader base64-decodes a BINARY field that
			// happens to be valid base64; hetl writes raw bytes.
			return str, "bytes written raw", nil
		}
		return bin, "", nil
	case *arrow.Date32Type:
		return "DATE", "", nil
	case *arrow.TimestampType:
		return d.timestampType(f, t, o)
	case *arrow.ListType:
		if f == Text {
			return str, "MySQL SET text: members joined by ','", nil
		}
		elem, _, err := d.typeOf(f, t.Elem(), "", o)
		if err != nil {
			return "", "", err
		}
		if trino {
			return "ARRAY(" + elem + ")", "", nil
		}
		return "ARRAY<" + elem + ">", "", nil
	}
	return "", "", fmt.Errorf("Arrow type %s: %w", t, ErrUnsupportedType)
}

func (d Dialect) timestampType(f Format, t *arrow.TimestampType, o Options) (typ, note string, err error) {
	if t.Unit != arrow.Millisecond && t.Unit != arrow.Microsecond {
		return "", "", fmt.Errorf("%s: only millisecond and microsecond timestamps are declared: %w", t, ErrUnsupportedType)
	}
	zoned := t.TimeZone != ""
	if zoned && !isUTC(t.TimeZone) {
		return "", "", fmt.Errorf("%s: only UTC or zoneless timestamps are declared: %w", t, ErrUnsupportedType)
	}
	if f == Avro {
		// Hive's AvroSerDe (and Spark's Hive tables with it) read every
		// Avro timestamp as milliseconds; hetl writes microseconds.
		if zoned {
			return "BIGINT", "microseconds since 1970-01-01 00:00:00 UTC (Avro timestamp-micros)", nil
		}
		return "BIGINT", "wall clock as microseconds since 1970-01-01 00:00:00 (Avro local-timestamp-micros)", nil
	}
	switch d {
	case Trino:
		return fmt.Sprintf("TIMESTAMP(%d)", o.TrinoTimestampPrecision), "", nil
	case Spark:
		if f == Parquet && !zoned {
			return "TIMESTAMP_NTZ", "", nil
		}
	}
	return "TIMESTAMP", "", nil
}

// isUTC reports whether an Arrow time zone is UTC under one of its names.
func isUTC(tz string) bool {
	switch tz {
	case "UTC", "Etc/UTC", "Z", "+00:00":
		return true
	}
	return false
}

// logicalNote says what a column hetl encoded holds.
func logicalNote(logical string) string {
	switch logical {
	case "time_us":
		return "MySQL TIME as signed microseconds"
	case "bit":
		return "MySQL BIT as an unsigned integer"
	case "year":
		return "MySQL YEAR"
	case "json":
		return "MySQL JSON text"
	case "wkb":
		return "MySQL GEOMETRY as WKB, without the SRID"
	case "decimal_text":
		return "MySQL DECIMAL wider than 38 digits, as its exact text"
	}
	return ""
}
