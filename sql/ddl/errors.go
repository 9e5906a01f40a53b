package ddl

import "errors"

// Errors the package returns, wrapped with what they concern; test them
// with errors.Is.
var (
	// ErrNotTable: the directory holds no published hetl table (no
	// _SUCCESS manifest, and for a pipeline output no partition either).
	ErrNotTable = errors.New("not a published hetl table")
	// ErrBadIdentifier: a table, schema or column name the metastore or
	// the dialect cannot hold, or a column that collides with another or
	// with a partition key.
	ErrBadIdentifier = errors.New("bad identifier")
	// ErrUnsupportedType: a column type the dialect cannot declare so
	// that the stored values read back exactly.
	ErrUnsupportedType = errors.New("unsupported column type")
	// ErrUnsupportedLayout: a file format or text layout the dialect
	// cannot declare.
	ErrUnsupportedLayout = errors.New("unsupported table layout")
	// ErrSchemaConflict: files of the table were written with schemas
	// that give a column two different types.
	ErrSchemaConflict = errors.New("conflicting file schemas")
	// ErrNoLocation: neither Options.Location nor the table says where
	// the table lives.
	ErrNoLocation = errors.New("no table location")
)
