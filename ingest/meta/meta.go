// Package meta names the Arrow field metadata keys hetl sets on every
// imported column, shared by the type mapping (which sets them) and the
// file writers (which keep them in the files).
package meta

const (
	// MySQLType is the column's full MySQL type as
	// information_schema.COLUMNS.COLUMN_TYPE says it, e.g.
	// "bigint(20) unsigned", "datetime(3)", "set('a','b')".
	MySQLType = "mysql.type"
	// FSP is the fractional-seconds precision (0..6) of a DATETIME,
	// TIMESTAMP or TIME column, as a decimal string.
	FSP = "mysql.fsp"
	// Logical names how hetl encoded a value where the Arrow type alone
	// does not say: "time_us" (TIME as signed microseconds in an int64),
	// "json" (JSON text in a utf8), "wkb" (GEOMETRY as WKB in a binary),
	// "bit" (BIT(n) as an unsigned integer), "year" (YEAR in an int16),
	// "decimal_text" (DECIMAL wider than 38 digits as its exact text).
	Logical = "hetl.logical"
	// PII marks a column changed by a --pii rule: "hash:<key
	// fingerprint>", "mask" or "scrub:<key fingerprint>".
	PII = "hetl.pii"
)
