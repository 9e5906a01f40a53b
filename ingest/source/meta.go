package source

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrNoSuchTable and ErrNoSuchColumn are returned (wrapped, naming the
// object) when an import names something that does not exist.
var (
	ErrNoSuchTable  = errors.New("no such table")
	ErrNoSuchColumn = errors.New("no such column")
)

// Column is what hetl knows about one column of a table or query result.
type Column struct {
	Name string
	// DataType is the lower-case base type: "bigint", "decimal",
	// "datetime", "varchar", "set", ...
	DataType string
	// ColumnType is the full type as MySQL prints it, e.g.
	// "bigint(20) unsigned", "tinyint(1)", "enum('a','b')".
	ColumnType string
	Nullable   bool
	Unsigned   bool
	// Precision and Scale of DECIMAL; Precision is also the bit count of
	// BIT(n) and the display width of integer types when known.
	Precision, Scale int
	// FSP is the fractional-seconds precision of DATETIME, TIMESTAMP and
	// TIME (0..6).
	FSP int
	// Charset and Collation of text columns ("binary" for byte strings).
	Charset, Collation string
	// Generated is set for VIRTUAL and STORED generated columns.
	Generated bool
}

// IsText reports whether the column holds character data (compared with
// its collation, converted to UTF-8 by the server).
func (c Column) IsText() bool {
	switch c.DataType {
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set":
		return true
	}
	return false
}

// Table is a table's metadata.
type Table struct {
	Schema, Name string
	Columns      []Column
	// PrimaryKey lists the primary key's columns in key order; when there
	// is none, the first UNIQUE key whose columns are all NOT NULL.
	PrimaryKey []string
	// KeyIsPrimary says PrimaryKey is the real primary key.
	KeyIsPrimary bool
	Engine       string
	// EstimatedRows is information_schema's estimate (InnoDB: rough).
	EstimatedRows int64
}

// Column finds a column by name, case-insensitively as MySQL does.
func (t *Table) Column(name string) (Column, bool) {
	for _, c := range t.Columns {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return Column{}, false
}

// QualifiedName is `schema`.`table`, quoted.
func (t *Table) QualifiedName() string {
	return MustQuote(t.Schema) + "." + MustQuote(t.Name)
}

// CurrentDatabase is the session's default database, "" when none.
func CurrentDatabase(ctx context.Context, db *sql.DB) (string, error) {
	var name sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&name); err != nil {
		return "", fmt.Errorf("read current database: %w", err)
	}
	return name.String, nil
}

// ListDatabases lists the databases the user can see, without the
// server's own schemas.
func ListDatabases(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME")
	if err != nil {
		return nil, fmt.Errorf("list databases: %w", err)
	}
	names, err := scanStrings(rows)
	if err != nil {
		return nil, fmt.Errorf("list databases: %w", err)
	}
	out := names[:0]
	for _, n := range names {
		switch strings.ToLower(n) {
		case "information_schema", "performance_schema", "mysql", "sys":
			continue
		}
		out = append(out, n)
	}
	return out, nil
}

// ListTables lists the base tables (not views) of schema.
func ListTables(ctx context.Context, db *sql.DB, schema string) ([]string, error) {
	rows, err := db.QueryContext(ctx,
		"SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME", schema)
	if err != nil {
		return nil, fmt.Errorf("list tables of %s: %w", schema, err)
	}
	names, err := scanStrings(rows)
	if err != nil {
		return nil, fmt.Errorf("list tables of %s: %w", schema, err)
	}
	return names, nil
}

func scanStrings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// DescribeTable reads a table's columns and key from information_schema.
// The name is matched exactly first, then case-insensitively (one match).
func DescribeTable(ctx context.Context, db *sql.DB, schema, name string) (*Table, error) {
	if schema == "" {
		cur, err := CurrentDatabase(ctx, db)
		if err != nil {
			return nil, err
		}
		if cur == "" {
			return nil, fmt.Errorf("table %s: no database selected (put one in the connection URL)", name)
		}
		schema = cur
	}
	t := &Table{Schema: schema}
	var found []string
	rows, err := db.QueryContext(ctx,
		"SELECT TABLE_NAME, COALESCE(ENGINE, ''), COALESCE(TABLE_ROWS, 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'VIEW', 'SYSTEM VIEW')", schema)
	if err != nil {
		return nil, fmt.Errorf("describe table %s: %w", name, err)
	}
	engines := map[string]string{}
	estimates := map[string]int64{}
	for rows.Next() {
		var n, engine string
		var est int64
		if err := rows.Scan(&n, &engine, &est); err != nil {
			rows.Close()
			return nil, fmt.Errorf("describe table %s: %w", name, err)
		}
		engines[n], estimates[n] = engine, est
		if n == name {
			found = []string{n}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("describe table %s: %w", name, err)
	}
	if len(found) == 0 {
		for n := range engines {
			if strings.EqualFold(n, name) {
				found = append(found, n)
			}
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("table %s.%s: %w", schema, name, ErrNoSuchTable)
	case 1:
	default:
		sort.Strings(found)
		return nil, fmt.Errorf("table %s.%s is ambiguous: %s differ only in case", schema, name, strings.Join(found, ", "))
	}
	t.Name, t.Engine, t.EstimatedRows = found[0], engines[found[0]], estimates[found[0]]
	if err := readColumns(ctx, db, t); err != nil {
		return nil, err
	}
	if err := readKey(ctx, db, t); err != nil {
		return nil, err
	}
	return t, nil
}

func readColumns(ctx context.Context, db *sql.DB, t *Table) error {
	rows, err := db.QueryContext(ctx, `SELECT COLUMN_NAME, LOWER(DATA_TYPE), LOWER(COLUMN_TYPE), IS_NULLABLE,
		COALESCE(NUMERIC_PRECISION, 0), COALESCE(NUMERIC_SCALE, 0), COALESCE(DATETIME_PRECISION, 0),
		COALESCE(CHARACTER_SET_NAME, ''), COALESCE(COLLATION_NAME, ''), COALESCE(EXTRA, '')
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, t.Schema, t.Name)
	if err != nil {
		return fmt.Errorf("read columns of %s: %w", t.QualifiedName(), err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Column
		var nullable, extra string
		if err := rows.Scan(&c.Name, &c.DataType, &c.ColumnType, &nullable, &c.Precision, &c.Scale, &c.FSP,
			&c.Charset, &c.Collation, &extra); err != nil {
			return fmt.Errorf("read columns of %s: %w", t.QualifiedName(), err)
		}
		c.Nullable = nullable == "YES"
		c.Unsigned = strings.Contains(c.ColumnType, "unsigned")
		extra = strings.ToUpper(extra)
		c.Generated = strings.Contains(extra, "GENERATED") || strings.Contains(extra, "VIRTUAL") || strings.Contains(extra, "PERSISTENT")
		if c.DataType == "bit" {
			c.Precision = parenInt(c.ColumnType, 1)
		}
		if isBinaryType(c.DataType) {
			c.Charset = "binary"
		}
		normalizeFSP(&c)
		t.Columns = append(t.Columns, c)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read columns of %s: %w", t.QualifiedName(), err)
	}
	if len(t.Columns) == 0 {
		return fmt.Errorf("table %s has no columns you can read", t.QualifiedName())
	}
	return nil
}

// normalizeFSP derives the fractional-seconds precision from the column
// type where DATETIME_PRECISION is missing (older servers, TIME).
func normalizeFSP(c *Column) {
	switch c.DataType {
	case "datetime", "timestamp", "time":
		if c.FSP == 0 {
			c.FSP = parenInt(c.ColumnType, 0)
		}
	default:
		c.FSP = 0
	}
}

func isBinaryType(dataType string) bool {
	switch dataType {
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		return true
	}
	return false
}

// parenInt reads n from "type(n...)", or def.
func parenInt(columnType string, def int) int {
	i := strings.IndexByte(columnType, '(')
	if i < 0 {
		return def
	}
	n := 0
	digits := 0
	for _, r := range columnType[i+1:] {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
		digits++
	}
	if digits == 0 {
		return def
	}
	return n
}

func readKey(ctx context.Context, db *sql.DB, t *Table) error {
	rows, err := db.QueryContext(ctx, `SELECT INDEX_NAME, COLUMN_NAME, NON_UNIQUE, COALESCE(NULLABLE, '')
		FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
		ORDER BY INDEX_NAME, SEQ_IN_INDEX`, t.Schema, t.Name)
	if err != nil {
		return fmt.Errorf("read keys of %s: %w", t.QualifiedName(), err)
	}
	defer rows.Close()
	type index struct {
		cols     []string
		unique   bool
		nullable bool
	}
	indexes := map[string]*index{}
	var order []string
	for rows.Next() {
		var name, col, nullable string
		var nonUnique int
		if err := rows.Scan(&name, &col, &nonUnique, &nullable); err != nil {
			return fmt.Errorf("read keys of %s: %w", t.QualifiedName(), err)
		}
		ix := indexes[name]
		if ix == nil {
			ix = &index{unique: nonUnique == 0}
			indexes[name] = ix
			order = append(order, name)
		}
		ix.cols = append(ix.cols, col)
		if nullable == "YES" {
			ix.nullable = true
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read keys of %s: %w", t.QualifiedName(), err)
	}
	if pk := indexes["PRIMARY"]; pk != nil {
		t.PrimaryKey, t.KeyIsPrimary = pk.cols, true
		return nil
	}
	for _, name := range order {
		if ix := indexes[name]; ix.unique && !ix.nullable {
			t.PrimaryKey = ix.cols
			return nil
		}
	}
	return nil
}
