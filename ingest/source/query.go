package source

import (
	"database/sql"
	"strings"
)

// ColumnsOf describes the columns of a result set, for free-form --query
// imports where information_schema cannot help. The wire protocol says less
// than information_schema: no BIT width, no TINYINT(1) display width, no
// charset beyond binary or not, no ENUM/SET members. DECIMAL precision is
// the server's display length, which can overstate the precision by one.
func ColumnsOf(rows *sql.Rows) ([]Column, error) {
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	cols := make([]Column, len(types))
	for i, ct := range types {
		name := strings.ToLower(ct.DatabaseTypeName())
		c := Column{Name: ct.Name()}
		if strings.HasPrefix(name, "unsigned ") {
			c.Unsigned = true
			name = strings.TrimPrefix(name, "unsigned ")
		}
		c.DataType = name
		c.ColumnType = name
		if c.Unsigned {
			c.ColumnType += " unsigned"
		}
		if n, ok := ct.Nullable(); ok {
			c.Nullable = n
		} else {
			c.Nullable = true
		}
		if p, s, ok := ct.DecimalSize(); ok {
			switch name {
			case "decimal":
				c.Precision, c.Scale = int(p), int(s)
				if c.Precision < 1 {
					c.Precision = 1
				}
				if c.Precision > 65 {
					c.Precision = 65
				}
			case "datetime", "timestamp", "time":
				c.FSP = int(s)
			}
		}
		if name == "bit" {
			c.Precision = 64
		}
		if isBinaryType(name) || name == "geometry" {
			c.Charset = "binary"
		} else if c.IsText() || name == "json" {
			c.Charset = "utf8mb4"
		}
		cols[i] = c
	}
	return cols, nil
}
