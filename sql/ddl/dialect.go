package ddl

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Dialect is the SQL engine the statements are for.
type Dialect string

// The dialects.
const (
	Hive  Dialect = "hive"
	Trino Dialect = "trino"
	Spark Dialect = "spark"
)

// Dialects are all dialects, in a stable order.
var Dialects = []Dialect{Hive, Trino, Spark}

// ParseDialect accepts hive, trino and spark (any case).
func ParseDialect(s string) (Dialect, error) {
	switch d := Dialect(strings.ToLower(strings.TrimSpace(s))); d {
	case Hive, Trino, Spark:
		return d, nil
	}
	return "", fmt.Errorf("dialect %q: want hive, trino or spark", s)
}

func (d Dialect) String() string { return string(d) }

func (d Dialect) valid() error {
	if _, err := ParseDialect(string(d)); err != nil {
		return err
	}
	return nil
}

// quote quotes an identifier: `name` for Hive and Spark, "name" for
// Trino, the quote character doubled inside.
func (d Dialect) quote(name string) string {
	q := "`"
	if d == Trino {
		q = `"`
	}
	return q + strings.ReplaceAll(name, q, q+q) + q
}

// literal is s as a string literal. Hive and Spark read backslash escapes
// in literals; Trino reads standard SQL (a quote doubled, a backslash as
// itself). Control characters, which no name or location hetl writes holds
// but a text delimiter can be, are escaped too: octal for Hive and Spark
// ('\001', as Hive's own DDL writes them), a Unicode literal for Trino
// (U&'\0001').
func (d Dialect) literal(s string) string {
	var b strings.Builder
	if d == Trino {
		if !strings.ContainsFunc(s, isControl) {
			return "'" + strings.ReplaceAll(s, "'", "''") + "'"
		}
		b.WriteString("U&'")
		for _, r := range s {
			switch {
			case r == '\'':
				b.WriteString("''")
			case r == '\\':
				b.WriteString(`\\`)
			case isControl(r):
				fmt.Fprintf(&b, `\%04x`, r)
			default:
				b.WriteRune(r)
			}
		}
		b.WriteByte('\'')
		return b.String()
	}
	b.WriteByte('\'')
	for _, r := range s {
		switch {
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case isControl(r):
			fmt.Fprintf(&b, `\%03o`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// nameRE is what the Hive metastore accepts as a database or table name.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// maxName is the longest identifier the metastore keeps (its column and
// table name fields are 128 characters in every schema version).
const maxName = 128

// splitName splits "schema.table" (or "table") and checks both parts. The
// metastore keeps names in lower case, so they are printed that way.
func splitName(name string) (schema, table string, err error) {
	parts := strings.Split(name, ".")
	if len(parts) > 2 {
		return "", "", fmt.Errorf("table name %q: want TABLE or SCHEMA.TABLE: %w", name, ErrBadIdentifier)
	}
	for _, p := range parts {
		if !nameRE.MatchString(p) || len(p) > maxName {
			return "", "", fmt.Errorf("table name %q: %q is not a metastore name (letters, digits and _, at most %d): %w", name, p, maxName, ErrBadIdentifier)
		}
	}
	if len(parts) == 2 {
		return strings.ToLower(parts[0]), strings.ToLower(parts[1]), nil
	}
	return "", strings.ToLower(parts[0]), nil
}

// checkColumnName refuses names the metastore or a serde cannot hold:
// empty, not UTF-8, control characters, commas (Hive keeps a table's
// column names as one comma-separated list for its serdes) and names
// longer than the metastore keeps.
func checkColumnName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("a column has an empty name: %w", ErrBadIdentifier)
	case !utf8.ValidString(name):
		return fmt.Errorf("column %q: the name is not UTF-8: %w", name, ErrBadIdentifier)
	case utf8.RuneCountInString(name) > maxName:
		return fmt.Errorf("column %q: the name is longer than the metastore's %d characters: %w", name, maxName, ErrBadIdentifier)
	case strings.ContainsRune(name, ','):
		return fmt.Errorf("column %q: Hive cannot hold a comma in a column name: %w", name, ErrBadIdentifier)
	}
	if strings.ContainsFunc(name, isControl) {
		return fmt.Errorf("column %q: the name holds a control character: %w", name, ErrBadIdentifier)
	}
	return nil
}
