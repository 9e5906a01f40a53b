package ddl

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/format"
)

// Create prints the statement that creates t in the dialect's metastore
// over its existing files. The statement has no terminating semicolon.
func (d Dialect) Create(t *Table, o Options) (string, error) {
	p, err := d.prepare(t, o)
	if err != nil {
		return "", err
	}
	if d == Trino {
		return p.trino()
	}
	if d == Spark && t.Format == Parquet {
		return p.sparkParquet(), nil
	}
	return p.hive()
}

// AddPartitions prints the statements that register t's partitions (none
// for an unpartitioned table): Hive and Spark add the partitions t lists,
// Options.PartitionsPerStatement per ALTER TABLE, and the partition of NULL
// event times (__HIVE_DEFAULT_PARTITION__), which Hive refuses to add by
// name, with MSCK REPAIR TABLE; Trino syncs the metastore with the
// partition directories once. The statements have no terminating
// semicolons.
func (d Dialect) AddPartitions(t *Table, o Options) ([]string, error) {
	p, err := d.prepare(t, o)
	if err != nil {
		return nil, err
	}
	if len(t.PartitionKeys) == 0 {
		return nil, nil
	}
	if d == Trino {
		if p.schema == "" {
			return nil, fmt.Errorf("table %s: Trino's sync_partition_metadata names the table's schema: give the table as SCHEMA.TABLE: %w", t.Name, ErrBadIdentifier)
		}
		proc := "system.sync_partition_metadata"
		if o.TrinoCatalog != "" {
			proc = d.quote(o.TrinoCatalog) + "." + proc
		}
		return []string{fmt.Sprintf("CALL %s(%s, %s, 'ADD')", proc, d.literal(p.schema), d.literal(p.table))}, nil
	}
	// Hive refuses a partition value that is its default partition's
	// name ("reserved substring"), which hetl writes for NULL event
	// times; MSCK REPAIR TABLE registers such a directory as it finds it.
	var parts []Partition
	repair := false
	for _, part := range t.Partitions {
		if isDefaultPartition(part) {
			repair = true
		} else {
			parts = append(parts, part)
		}
	}
	var out []string
	for start := 0; start < len(parts); start += o.PartitionsPerStatement {
		end := min(start+o.PartitionsPerStatement, len(parts))
		var b strings.Builder
		fmt.Fprintf(&b, "ALTER TABLE %s ADD IF NOT EXISTS", p.name)
		for _, part := range parts[start:end] {
			specs := make([]string, len(t.PartitionKeys))
			for i, k := range t.PartitionKeys {
				specs[i] = d.quote(k) + "=" + d.literal(part.Values[i])
			}
			fmt.Fprintf(&b, "\n  PARTITION (%s) LOCATION %s", strings.Join(specs, ", "), d.literal(p.location+"/"+part.Path))
		}
		out = append(out, b.String())
	}
	if repair {
		out = append(out, "MSCK REPAIR TABLE "+p.name)
	}
	return out, nil
}

// defaultPartition is the directory name Hive (and hetl) give a NULL
// partition value.
const defaultPartition = "__HIVE_DEFAULT_PARTITION__"

func isDefaultPartition(p Partition) bool {
	for _, v := range p.Values {
		if v == defaultPartition {
			return true
		}
	}
	return false
}

// Script is Create and AddPartitions as one script, each statement ending
// with a semicolon and a newline.
func (d Dialect) Script(t *Table, o Options) (string, error) {
	create, err := d.Create(t, o)
	if err != nil {
		return "", err
	}
	parts, err := d.AddPartitions(t, o)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, s := range append([]string{create}, parts...) {
		b.WriteString(s)
		b.WriteString(";\n")
	}
	return b.String(), nil
}

// printer is a checked table with its names, types and location worked out.
type printer struct {
	d             Dialect
	t             *Table
	o             Options
	schema, table string
	name          string // the quoted, qualified table name
	location      string
	cols          []colDef
}

type colDef struct {
	name, typ, comment string
}

func (d Dialect) prepare(t *Table, o Options) (*printer, error) {
	if err := d.valid(); err != nil {
		return nil, err
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if t == nil {
		return nil, fmt.Errorf("no table: %w", ErrNotTable)
	}
	if err := t.check(); err != nil {
		return nil, err
	}
	p := &printer{d: d, t: t, o: o}
	p.schema, p.table, _ = splitName(t.Name)
	switch {
	case d == Trino && o.TrinoCatalog != "" && p.schema == "":
		return nil, fmt.Errorf("table %s: with a Trino catalog, give the table as SCHEMA.TABLE: %w", t.Name, ErrBadIdentifier)
	case d == Trino && o.TrinoCatalog != "":
		p.name = d.quote(strings.ToLower(o.TrinoCatalog)) + "." + d.quote(p.schema) + "." + d.quote(p.table)
	case p.schema != "":
		p.name = d.quote(p.schema) + "." + d.quote(p.table)
	default:
		p.name = d.quote(p.table)
	}
	var err error
	if p.location, err = tableLocation(t, o); err != nil {
		return nil, err
	}
	avroNames := map[string]string{}
	for _, c := range t.Columns {
		typ, comment, err := d.columnType(t.Format, c, o)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", t.Name, err)
		}
		name := c.Name
		if t.Format == Avro {
			// Avro readers match fields by name, and the file's field
			// is named after the column, made a valid Avro name.
			name = format.AvroFieldName(c.Name)
			if other, ok := avroNames[strings.ToLower(name)]; ok {
				return nil, fmt.Errorf("table %s: columns %q and %q are both Avro field %q: %w", t.Name, other, c.Name, name, ErrBadIdentifier)
			}
			avroNames[strings.ToLower(name)] = c.Name
			if name != c.Name {
				comment = strings.TrimSuffix("MySQL column "+c.Name+"; "+comment, "; ")
			}
		}
		p.cols = append(p.cols, colDef{name: name, typ: typ, comment: comment})
	}
	if t.Format == Text {
		if err := p.checkText(); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// columns prints the column list, partition keys last when keyType is
// set (Trino's and Spark's data source tables list them there).
func (p *printer) columns(keyType string) string {
	var lines []string
	for _, c := range p.cols {
		s := "  " + p.d.quote(c.name) + " " + c.typ
		if c.comment != "" {
			s += " COMMENT " + p.d.literal(c.comment)
		}
		lines = append(lines, s)
	}
	if keyType != "" {
		for _, k := range p.t.PartitionKeys {
			lines = append(lines, "  "+p.d.quote(k)+" "+keyType)
		}
	}
	return "(\n" + strings.Join(lines, ",\n") + "\n)"
}

func (p *printer) ifNotExists() string {
	if p.o.IfNotExists {
		return "IF NOT EXISTS "
	}
	return ""
}

// hive prints Hive's CREATE EXTERNAL TABLE (also Spark's for text and Avro).
func (p *printer) hive() (string, error) {
	d := p.d
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE EXTERNAL TABLE %s%s %s", p.ifNotExists(), p.name, p.columns(""))
	if len(p.t.PartitionKeys) > 0 {
		keys := make([]string, len(p.t.PartitionKeys))
		for i, k := range p.t.PartitionKeys {
			keys[i] = d.quote(k) + " STRING"
		}
		fmt.Fprintf(&b, "\nPARTITIONED BY (%s)", strings.Join(keys, ", "))
	}
	var props []string
	switch p.t.Format {
	case Parquet:
		b.WriteString("\nSTORED AS PARQUET")
	case Avro:
		b.WriteString("\nSTORED AS AVRO")
	case Text:
		l, null := p.textLayout()
		b.WriteString("\nROW FORMAT DELIMITED")
		fmt.Fprintf(&b, "\n  FIELDS TERMINATED BY %s", d.literal(l.FieldsTerminatedBy))
		if l.EscapedBy != "" {
			fmt.Fprintf(&b, "\n  ESCAPED BY %s", d.literal(l.EscapedBy))
			// hetl writes a newline or carriage return inside a
			// value as the escape character and n or r.
			props = append(props, d.literal("serialization.escape.crlf")+"="+d.literal("true"))
		}
		fmt.Fprintf(&b, "\n  LINES TERMINATED BY %s", d.literal(l.LinesTerminatedBy))
		fmt.Fprintf(&b, "\n  NULL DEFINED AS %s", d.literal(null))
		b.WriteString("\nSTORED AS TEXTFILE")
	}
	fmt.Fprintf(&b, "\nLOCATION %s", d.literal(p.location))
	if len(props) > 0 {
		fmt.Fprintf(&b, "\nTBLPROPERTIES (%s)", strings.Join(props, ", "))
	}
	return b.String(), nil
}

// sparkParquet prints Spark's data source table.
func (p *printer) sparkParquet() string {
	d := p.d
	var b strings.Builder
	keyType := ""
	if len(p.t.PartitionKeys) > 0 {
		keyType = "STRING"
	}
	fmt.Fprintf(&b, "CREATE TABLE %s%s %s", p.ifNotExists(), p.name, p.columns(keyType))
	b.WriteString("\nUSING PARQUET")
	if len(p.t.PartitionKeys) > 0 {
		keys := make([]string, len(p.t.PartitionKeys))
		for i, k := range p.t.PartitionKeys {
			keys[i] = d.quote(k)
		}
		fmt.Fprintf(&b, "\nPARTITIONED BY (%s)", strings.Join(keys, ", "))
	}
	fmt.Fprintf(&b, "\nLOCATION %s", d.literal(p.location))
	return b.String()
}

// trino prints the Hive connector's CREATE TABLE.
func (p *printer) trino() (string, error) {
	d := p.d
	keyType := ""
	if len(p.t.PartitionKeys) > 0 {
		keyType = "VARCHAR"
	}
	props := []string{"external_location = " + d.literal(p.location)}
	switch p.t.Format {
	case Parquet:
		props = append(props, "format = 'PARQUET'")
	case Avro:
		props = append(props, "format = 'AVRO'")
	case Text:
		l, null := p.textLayout()
		if l.EscapedBy != "" {
			return "", fmt.Errorf("table %s: text escaped by %q: Trino's text reader cannot be told that hetl escapes newlines in values (Hive's serialization.escape.crlf) and would read them wrong; query it from Hive or Spark, or import as Parquet: %w", p.t.Name, l.EscapedBy, ErrUnsupportedLayout)
		}
		props = append(props, "format = 'TEXTFILE'",
			"textfile_field_separator = "+d.literal(l.FieldsTerminatedBy),
			"null_format = "+d.literal(null))
	}
	if len(p.t.PartitionKeys) > 0 {
		keys := make([]string, len(p.t.PartitionKeys))
		for i, k := range p.t.PartitionKeys {
			keys[i] = d.literal(k)
		}
		props = append(props, "partitioned_by = ARRAY["+strings.Join(keys, ", ")+"]")
	}
	return fmt.Sprintf("CREATE TABLE %s%s %s\nWITH (\n  %s\n)", p.ifNotExists(), p.name, p.columns(keyType), strings.Join(props, ",\n  ")), nil
}

// textLayout is the table's delimiters (Sqoop's defaults when the
// manifest has none) and the one NULL text its columns use.
func (p *printer) textLayout() (*ingest.TextLayout, string) {
	l := p.t.Text
	if l == nil {
		l = ingest.NewTextLayout(format.TextOptions{})
	}
	str, other := "null", "null"
	if l.NullString != nil {
		str = *l.NullString
	}
	if l.NullNonString != nil {
		other = *l.NullNonString
	}
	for _, c := range p.t.Columns {
		if stringy(c) {
			return l, str
		}
	}
	return l, other
}

// checkText refuses layouts Hive's (and Trino's) text readers cannot read
// as hetl wrote them.
func (p *printer) checkText() error {
	l, _ := p.textLayout()
	name := p.t.Name
	oneByte := func(what, s string) error {
		if len(s) != 1 || s[0] >= 0x80 {
			return fmt.Errorf("table %s: %s %q: Hive declares a delimiter of one ASCII character: %w", name, what, s, ErrUnsupportedLayout)
		}
		return nil
	}
	if err := oneByte("fields terminated by", l.FieldsTerminatedBy); err != nil {
		return err
	}
	if l.LinesTerminatedBy != "\n" {
		return fmt.Errorf("table %s: lines terminated by %q: Hive and Trino read only lines ending in \\n: %w", name, l.LinesTerminatedBy, ErrUnsupportedLayout)
	}
	if l.EscapedBy != "" {
		if err := oneByte("escaped by", l.EscapedBy); err != nil {
			return err
		}
	}
	if l.EnclosedBy != "" {
		return fmt.Errorf("table %s: fields enclosed by %q: Hive's text reader does not remove enclosing characters; import without --enclosed-by, or as Parquet: %w", name, l.EnclosedBy, ErrUnsupportedLayout)
	}
	str, other := "null", "null"
	if l.NullString != nil {
		str = *l.NullString
	}
	if l.NullNonString != nil {
		other = *l.NullNonString
	}
	hasStr, hasOther := false, false
	for _, c := range p.t.Columns {
		if stringy(c) {
			hasStr = true
		} else {
			hasOther = true
		}
	}
	if hasStr && hasOther && str != other {
		return fmt.Errorf("table %s: NULL is written %q in string columns and %q in others, and Hive and Trino take one NULL text per table; import with --null-string and --null-non-string the same: %w", name, str, other, ErrUnsupportedLayout)
	}
	return nil
}

// stringy reports whether hetl's text writer takes a column's NULL text
// from --null-string (else --null-non-string), as Sqoop does.
func stringy(c Column) bool {
	switch c.Type.(type) {
	case *arrow.StringType, *arrow.LargeStringType:
		return c.Logical != "decimal_text"
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.FixedSizeBinaryType, *arrow.ListType:
		return true
	}
	return false
}
