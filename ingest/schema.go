package ingest

import (
	"fmt"
	"strings"
)

// SchemaChange is Options.AllowSchemaChange: what to do when the source
// table's columns differ from the target's in a way appending cannot
// represent.
type SchemaChange string

const (
	// SchemaChangeRefuse (the default) fails the run, naming the columns.
	SchemaChangeRefuse SchemaChange = ""
	// SchemaChangeReplace re-imports the whole table and replaces the
	// target atomically (an incremental target starts over from its
	// table's first row; its last value moves to the new maximum).
	SchemaChangeReplace SchemaChange = "replace"
)

// schemaDiff compares the target's columns with the run's.
type schemaDiff struct {
	added   []string // new columns, nullable: old files read as NULL
	addedNN []string // new NOT NULL columns: old rows would break them
	dropped []string
	retyped []string // "col: was T1, now T2"
}

func (d schemaDiff) additiveOnly() bool {
	return len(d.addedNN) == 0 && len(d.dropped) == 0 && len(d.retyped) == 0
}

func (d schemaDiff) empty() bool { return d.additiveOnly() && len(d.added) == 0 }

func (d schemaDiff) String() string {
	var parts []string
	for _, c := range d.dropped {
		parts = append(parts, "column "+c+" was dropped")
	}
	for _, c := range d.retyped {
		parts = append(parts, "column "+c)
	}
	for _, c := range d.addedNN {
		parts = append(parts, "new column "+c+" is NOT NULL, so the rows already imported cannot have it")
	}
	return strings.Join(parts, "; ")
}

// diffSchema compares by column name (case-insensitively, as MySQL does).
func (j *importJob) diffSchema(prev *Manifest) schemaDiff {
	var d schemaDiff
	old := map[string]ManifestColumn{}
	for _, c := range prev.Columns {
		old[strings.ToLower(c.Name)] = c
	}
	seen := map[string]bool{}
	for _, f := range j.outSchema.Fields() {
		key := strings.ToLower(f.Name)
		seen[key] = true
		mysqlType, _ := f.Metadata.GetValue("mysql.type")
		o, ok := old[key]
		switch {
		case !ok && f.Nullable:
			d.added = append(d.added, f.Name)
		case !ok:
			d.addedNN = append(d.addedNN, f.Name)
		case o.ArrowType != f.Type.String() || !strings.EqualFold(o.MySQLType, mysqlType):
			d.retyped = append(d.retyped, fmt.Sprintf("%s: was %s (%s), now %s (%s)", f.Name, o.MySQLType, o.ArrowType, mysqlType, f.Type))
		}
	}
	for _, c := range prev.Columns {
		if !seen[strings.ToLower(c.Name)] {
			d.dropped = append(d.dropped, c.Name)
		}
	}
	return d
}

// mergeColumns is the column list of a table after an append: the run's
// columns (the newest schema), with null counts adding up the earlier
// files' (all of them NULL for a column those files lack).
func mergeColumns(prev []ManifestColumn, prevRows int64, run []ManifestColumn) []ManifestColumn {
	old := map[string]ManifestColumn{}
	for _, c := range prev {
		old[strings.ToLower(c.Name)] = c
	}
	out := make([]ManifestColumn, len(run))
	for i, c := range run {
		out[i] = c
		o, ok := old[strings.ToLower(c.Name)]
		switch {
		case !ok:
			out[i].Nulls += prevRows
		case o.Nulls < 0 || c.Nulls < 0:
			out[i].Nulls = -1
		default:
			out[i].Nulls += o.Nulls
		}
	}
	return out
}
