package command

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/hetl/hetl/config"
	"github.com/hetl/hetl/hbase"
	"github.com/hetl/hetl/ingest"
)

// hbaseFlags are hetl import's flags for an HBase target (Sqoop's names
// where Sqoop has them).
type hbaseFlags struct {
	table, family, rowKey     string
	create                    bool
	presplit, salt            int
	encoding, nullMode, tsCol string
	compression, bloom        string
	maxVersions               int
	ttl                       time.Duration
	batchRows                 int
}

func (f *hbaseFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.table, "hbase-table", "", "import into this HBase table ([namespace:]table) through the Thrift2 gateway of hetl.yaml's hbase.thrift, instead of files")
	fs.StringVar(&f.family, "column-family", "", "column family of the cells (required with --hbase-table)")
	fs.StringVar(&f.rowKey, "hbase-row-key", "", "row key columns, comma-separated (default: the primary key)")
	fs.BoolVar(&f.create, "hbase-create-table", false, "create the table when it does not exist")
	fs.IntVar(&f.presplit, "hbase-presplit", 0, "with --hbase-create-table: pre-split into N regions from a sample of the keys")
	fs.IntVar(&f.salt, "hbase-salt-buckets", 0, "prefix row keys with a salt byte of N buckets (spreads growing keys; regions split per bucket)")
	fs.StringVar(&f.encoding, "hbase-encoding", "typed", "cell values: typed (Java Bytes.toBytes) or string (MySQL's text, like Sqoop)")
	fs.StringVar(&f.nullMode, "hbase-null-mode", "skip", "a NULL value: skip the cell, or delete it (so re-imports clear values that became NULL)")
	fs.StringVar(&f.tsCol, "hbase-timestamp-column", "", "DATETIME/TIMESTAMP column giving the cells' timestamps (default: the import's start)")
	fs.StringVar(&f.compression, "hbase-compression", "", "with --hbase-create-table: the family's compression (NONE, SNAPPY, GZ, LZ4, ZSTD)")
	fs.StringVar(&f.bloom, "hbase-bloom-filter", "", "with --hbase-create-table: NONE, ROW or ROWCOL")
	fs.IntVar(&f.maxVersions, "hbase-max-versions", 0, "with --hbase-create-table: versions kept per cell (default HBase's 1)")
	fs.DurationVar(&f.ttl, "hbase-ttl", 0, "with --hbase-create-table: cells expire after this long (default never)")
	fs.IntVar(&f.batchRows, "hbase-batch-rows", 500, "rows per putMultiple call")
}

// target is the ingest configuration, nil without --hbase-table.
func (f *hbaseFlags) target(cfg *config.Config) (*ingest.HBaseTarget, error) {
	if f.table == "" {
		if f.family != "" || f.rowKey != "" || f.create || f.salt != 0 || f.presplit != 0 || f.tsCol != "" {
			return nil, usagef("--column-family and the --hbase-* flags need --hbase-table")
		}
		return nil, nil
	}
	if f.family == "" {
		return nil, usagef("--hbase-table needs --column-family")
	}
	table, err := hbase.ParseTableName(f.table)
	if err != nil {
		return nil, usagef("--hbase-table: %v", err)
	}
	enc := ingest.HBaseEncoding(f.encoding)
	if enc != ingest.HBaseTyped && enc != ingest.HBaseString {
		return nil, usagef("--hbase-encoding %q: want typed or string", f.encoding)
	}
	if f.nullMode != "skip" && f.nullMode != "delete" {
		return nil, usagef("--hbase-null-mode %q: want skip or delete", f.nullMode)
	}
	if (f.presplit != 0 || f.compression != "" || f.bloom != "" || f.maxVersions != 0 || f.ttl != 0) && !f.create {
		return nil, usagef("--hbase-presplit and the family options need --hbase-create-table")
	}
	if f.salt > 0 && f.presplit > 0 {
		return nil, usagef("give at most one of --hbase-salt-buckets (one region per bucket) and --hbase-presplit")
	}
	if cfg.HBase.Thrift == "" {
		return nil, usagef("--hbase-table: no HBase gateway configured: set hbase.thrift in hetl.yaml (see docs/configuration.md)")
	}
	opts := hbase.DefaultOptions()
	opts.Transport, opts.Protocol = cfg.HBase.Transport, cfg.HBase.Protocol
	if cfg.HBase.CallTimeout > 0 {
		opts.CallTimeout = cfg.HBase.CallTimeout
	}
	addr := cfg.HBase.Thrift
	t := &ingest.HBaseTarget{
		Dial:  func(ctx context.Context) (*hbase.Client, error) { return hbase.Dial(ctx, addr, opts) },
		Table: table, Family: f.family, Create: f.create, Presplit: f.presplit, Salt: f.salt,
		Encoding: enc, DeleteNulls: f.nullMode == "delete", TimestampColumn: f.tsCol, BatchRows: f.batchRows,
		FamilySpec: hbase.FamilySpec{Compression: strings.ToUpper(f.compression), BloomFilter: strings.ToUpper(f.bloom), MaxVersions: int32(f.maxVersions), TTL: f.ttl},
	}
	for _, k := range strings.Split(f.rowKey, ",") {
		if k = strings.TrimSpace(k); k != "" {
			t.RowKey = append(t.RowKey, k)
		}
	}
	return t, nil
}
