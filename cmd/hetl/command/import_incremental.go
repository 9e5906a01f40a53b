package command

import (
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/hetl/hetl/ingest"
)

// incrementalFlags are Sqoop's incremental import flags.
type incrementalFlags struct {
	mode, checkColumn, lastValue string
	lag                          time.Duration
	allowSchemaChange            string
	mergeKey                     string
}

func (f *incrementalFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.mode, "incremental", "", "import only new rows: append (--check-column grows: an id or insert time) or lastmodified (--check-column is an update time)")
	fs.StringVar(&f.checkColumn, "check-column", "", "column that decides which rows are new, for --incremental")
	fs.StringVar(&f.lastValue, "last-value", "", "import rows past this value (default: the value the target's last import recorded)")
	fs.DurationVar(&f.lag, "lastmodified-lag", ingest.DefaultLastModifiedLag, "--incremental lastmodified stops this far behind the database's clock, for transactions that commit late")
	fs.StringVar(&f.mergeKey, "merge-key", "", "with --incremental: merge the new rows into the target by these key columns (K or K1,K2), keeping each key's newest row")
	fs.StringVar(&f.allowSchemaChange, "allow-schema-change", "", "when the table's columns were dropped or retyped since the target was written: replace (re-import it whole). New nullable columns need nothing")
}

// schemaChange is --allow-schema-change.
func (f *incrementalFlags) schemaChange() (ingest.SchemaChange, error) {
	switch s := ingest.SchemaChange(f.allowSchemaChange); s {
	case ingest.SchemaChangeRefuse, ingest.SchemaChangeReplace:
		return s, nil
	}
	return "", usagef("--allow-schema-change %q: want replace", f.allowSchemaChange)
}

// incremental is the ingest configuration, nil without --incremental.
func (f *incrementalFlags) incremental() (*ingest.Incremental, error) {
	if f.mode == "" {
		if f.checkColumn != "" || f.lastValue != "" || f.mergeKey != "" {
			return nil, usagef("--check-column, --last-value and --merge-key need --incremental append|lastmodified")
		}
		return nil, nil
	}
	m := ingest.IncrementalMode(f.mode)
	if m != ingest.IncrementalAppend && m != ingest.IncrementalLastModified {
		return nil, usagef("--incremental %q: want append or lastmodified", f.mode)
	}
	if f.checkColumn == "" {
		return nil, usagef("--incremental %s needs --check-column", f.mode)
	}
	if f.lag < 0 {
		return nil, usagef("--lastmodified-lag %s: want zero or more", f.lag)
	}
	return &ingest.Incremental{Mode: m, CheckColumn: f.checkColumn, LastValue: f.lastValue, Lag: f.lag}, nil
}

// mergeKeys is --merge-key split into columns.
func (f *incrementalFlags) mergeKeys() []string {
	var keys []string
	for _, k := range strings.Split(f.mergeKey, ",") {
		if k = strings.TrimSpace(k); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}
