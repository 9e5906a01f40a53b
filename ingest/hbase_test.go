package ingest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hetl/hetl/hbase"
	"github.com/hetl/hetl/internal/testcluster"
)

// hbaseTarget points an import at the test stack's Thrift2 gateway and
// removes the table afterwards.
func hbaseTarget(t *testing.T, name string) *HBaseTarget {
	t.Helper()
	addr, transport, protocol := testcluster.HBaseGateway(t)
	opts := hbase.DefaultOptions()
	opts.Transport, opts.Protocol = transport, protocol
	dial := func(ctx context.Context) (*hbase.Client, error) { return hbase.Dial(ctx, addr, opts) }
	table := hbase.TableName{Name: fmt.Sprintf("%s_%d", name, time.Now().UnixNano())}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if c, err := dial(ctx); err == nil {
			c.DeleteTable(ctx, table)
			c.Close()
		}
	})
	return &HBaseTarget{Dial: dial, Table: table, Family: "d", Create: true}
}

func scanAll(t *testing.T, tgt *HBaseTarget) []hbase.Result {
	t.Helper()
	ctx := context.Background()
	c, err := tgt.Dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var out []hbase.Result
	if err := c.Scan(ctx, tgt.Table, hbase.ScanOptions{}, hbase.RetryPolicy{}, func(rs []hbase.Result) error {
		out = append(out, rs...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

const hbaseFixture = `CREATE TABLE h (
	id INT PRIMARY KEY, big BIGINT UNSIGNED, amount DECIMAL(12,3), score DOUBLE, f FLOAT,
	at DATETIME(6), ts TIMESTAMP(3) NULL, d DATE, t TIME(2), y YEAR, name VARCHAR(40), b BLOB, tags SET('a','b','c'),
	nothing VARCHAR(5) NULL, bits BIT(10), g POINT NULL)`

const hbaseRows = `INSERT INTO h VALUES
	(-5, 18446744073709551615, -123456789.125, 0.30000000000000004, 1.5, '2026-11-21 01:02:03.456789', '2026-11-21 00:00:00.001', '1000-01-01', '-838:59:59.00', 2155, 'héllo 🌍', X'00FF01', 'a,c', NULL, b'1000000001', ST_GeomFromText('POINT(1 2)')),
	(0, 0, 0, -1e308, -3.25, '1000-01-01 00:00:00', NULL, '9999-12-31', '00:00:00', 1901, '', '', '', NULL, b'0', NULL),
	(7, 42, 999999999.999, 5e-324, 3.4028235e38, '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999', '2026-11-21', '838:59:59.99', 0, 'x', NULL, 'b', 'v', b'1111111111', ST_GeomFromText('POINT(-1.5 1e10)'))`

// Both encodings round-trip every type: the scan-back validation decodes
// each cell and compares with MySQL's checksum.
func TestHBaseImportEncodings(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, hbaseFixture, hbaseRows)
	for _, enc := range []HBaseEncoding{HBaseTyped, HBaseString} {
		t.Run(string(enc), func(t *testing.T) {
			tgt := hbaseTarget(t, "hetl_enc_"+string(enc))
			tgt.Encoding, tgt.Salt = enc, 4
			m := mustImport(t, nil, "", src, func(o *Options) { o.Table, o.HBase = "h", tgt })
			if m.Rows != 3 || !m.Validated || m.Target != "hbase:"+tgt.Table.String() {
				t.Errorf("manifest: %d rows, validated %v, target %s", m.Rows, m.Validated, m.Target)
			}
			rows := scanAll(t, tgt)
			if len(rows) != 3 {
				t.Fatalf("%d rows in HBase", len(rows))
			}
			if starts := regionStarts(t, tgt); len(starts) != 4 || string(starts[1]) != "\x01" || string(starts[3]) != "\x03" {
				t.Errorf("salted table regions start at %q, want one per bucket", starts)
			}
			for _, r := range rows {
				if len(r.Key) != 5 || r.Key[0] != hbase.SaltOf(r.Key[1:], 4) {
					t.Errorf("row key %x: want a salt byte and 4 key bytes", r.Key)
				}
				for _, c := range r.Cells {
					if c.Qualifier == "nothing" && r.Key[1:][3] != 0x07 {
						t.Errorf("a NULL was written: %+v", c)
					}
				}
			}
			// Importing again writes the same cells: still valid, still 3 rows.
			mustImport(t, nil, "", src, func(o *Options) { o.Table, o.HBase = "h", tgt })
			if n := len(scanAll(t, tgt)); n != 3 {
				t.Errorf("after a re-import: %d rows", n)
			}
		})
	}
}

// NULLs delete the cell with DeleteNulls; row keys from two columns;
// a table pre-split from a sample of the keys.
func TestHBaseImportKeysAndNulls(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE k (tenant VARCHAR(10), n BIGINT, v VARCHAR(10) NULL, PRIMARY KEY (tenant, n))`,
		`INSERT INTO k SELECT CONCAT('t', seq % 3), CAST(seq AS SIGNED) - 100, CONCAT('v', seq) FROM seq_1_to_300`)
	tgt := hbaseTarget(t, "hetl_keys")
	tgt.Presplit, tgt.DeleteNulls = 4, true
	mustImport(t, nil, "", src, func(o *Options) { o.Table, o.HBase = "k", tgt })
	rows := scanAll(t, tgt)
	if len(rows) != 300 {
		t.Fatalf("%d rows", len(rows))
	}
	if starts := regionStarts(t, tgt); len(starts) != 4 {
		t.Errorf("pre-split into %d regions, want 4: %q", len(starts), starts)
	}
	// Key order is (tenant, n) order, negative n included.
	if !strings.HasPrefix(string(rows[0].Key), "t0\x00\x01") {
		t.Errorf("first key %q", rows[0].Key)
	}
	exec(t, db, `UPDATE k SET v = NULL WHERE n = -99`)
	mustImport(t, nil, "", src, func(o *Options) { o.Table, o.HBase = "k", tgt })
	for _, r := range scanAll(t, tgt) {
		for _, c := range r.Cells {
			if c.Qualifier == "v" && string(c.Value) == "v1" {
				t.Errorf("the cell that became NULL is still there: %x", r.Key)
			}
		}
	}
	if _, err := importTo(t, nil, "", src, func(o *Options) {
		o.Table, o.HBase = "k", &HBaseTarget{Dial: tgt.Dial, Table: hbase.TableName{Name: "hetl_missing_table"}, Family: "d"}
	}); err == nil || !strings.Contains(err.Error(), "does not exist: create it, or pass --hbase-create-table") {
		t.Errorf("missing table: %v", err)
	}
	if _, err := importTo(t, nil, "", src, func(o *Options) {
		o.Table, o.HBase = "k", &HBaseTarget{Dial: tgt.Dial, Table: tgt.Table, Family: "other"}
	}); err == nil || !strings.Contains(err.Error(), `has no column family "other"`) {
		t.Errorf("wrong family: %v", err)
	}
}

// The import records its schema in the table; a reader decodes the cells
// with it back into the import's Arrow types.
func TestHBaseRecordedSchema(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE r (id INT PRIMARY KEY, amount DECIMAL(6,2), at DATETIME(3), note VARCHAR(10))`,
		`INSERT INTO r VALUES (1, 12.50, '2026-11-21 10:00:00.125', 'a'), (2, NULL, '2026-11-21 11:00:00', NULL)`)
	tgt := hbaseTarget(t, "hetl_schema")
	mustImport(t, nil, "", src, func(o *Options) { o.Table, o.HBase = "r", tgt })
	ctx := context.Background()
	c, err := tgt.Dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	raw, err := c.TableAttribute(ctx, tgt.Table, hbase.SchemaAttribute)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := hbase.ParseTableSchema(raw)
	if err != nil {
		t.Fatal(err)
	}
	if ts.Family != "d" || ts.Encoding != "typed" || strings.Join(ts.RowKey, ",") != "id" || ts.Schema.NumFields() != 4 {
		t.Fatalf("recorded schema %+v", ts)
	}
	var got []string
	if err := c.ScanRecords(ctx, tgt.Table, ts.Columns(), hbase.ScanOptions{}, hbase.RetryPolicy{}, func(rec arrow.RecordBatch) error {
		for r := 0; r < int(rec.NumRows()); r++ {
			var parts []string
			for col := 1; col < int(rec.NumCols()); col++ {
				parts = append(parts, rec.Column(col).ValueStr(r))
			}
			got = append(got, strings.Join(parts, "|"))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{"1|12.5|2026-11-21T10:00:00.125|a", "2|(null)|2026-11-21T11:00:00|(null)"} // Arrow's rendering
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("read back:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	rec, err := c.GetRecords(ctx, tgt.Table, [][]byte{{0x80, 0, 0, 2}, []byte("missing")}, ts.Columns(), hbase.RetryPolicy{})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if rec.NumRows() != 2 || rec.Column(1).ValueStr(0) != "2" || !rec.Column(0).IsNull(1) || !rec.Column(1).IsNull(1) {
		t.Errorf("get records: %v", rec)
	}
}

func regionStarts(t *testing.T, tgt *HBaseTarget) [][]byte {
	t.Helper()
	c, err := tgt.Dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	starts, err := c.RegionStarts(context.Background(), tgt.Table)
	if err != nil {
		t.Fatal(err)
	}
	return starts
}

// With cell timestamps from a column, importing again writes exactly the
// same cells: same values, same timestamps.
func TestHBaseReimportIdempotent(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE i (id INT PRIMARY KEY, v VARCHAR(10), updated_at TIMESTAMP(3) NOT NULL)`,
		`INSERT INTO i SELECT seq, CONCAT('v', seq), '2026-11-21 00:00:00' + INTERVAL seq SECOND FROM seq_1_to_500`)
	tgt := hbaseTarget(t, "hetl_idem")
	tgt.TimestampColumn = "updated_at"
	mustImport(t, nil, "", src, func(o *Options) { o.Table, o.HBase = "i", tgt })
	first := scanAll(t, tgt)
	mustImport(t, nil, "", src, func(o *Options) { o.Table, o.HBase = "i", tgt })
	second := scanAll(t, tgt)
	if len(first) != 500 || fmt.Sprint(first) != fmt.Sprint(second) {
		t.Errorf("a re-import changed the cells (%d rows, then %d)", len(first), len(second))
	}
	// The cell timestamp is the row's updated_at in milliseconds.
	want := time.Date(2026, 11, 21, 0, 0, 1, 0, time.UTC).UnixMilli()
	for _, c := range first[0].Cells {
		if c.Timestamp != want {
			t.Fatalf("cell %s has timestamp %d, want %d", c.Qualifier, c.Timestamp, want)
		}
	}
}
