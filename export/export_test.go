package export

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/internal/testcluster"
	"github.com/hetl/hetl/warehouse"
)

// scratch makes a database with the statements run in it and returns a
// connection to it and its config for imports and exports.
func scratch(t *testing.T, stmts ...string) (*sql.DB, *mysql.Config) {
	t.Helper()
	srv := testcluster.MySQL(t)
	name := fmt.Sprintf("hetl_export_%d", time.Now().UnixNano())
	admin, err := sql.Open("mysql", srv.DSN)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.DBName = srv.User, srv.Password, "tcp", srv.Addr(), name
	cfg.Params = map[string]string{"time_zone": "'+00:00'", "sql_mode": "''"}
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close(); admin.Exec("DROP DATABASE " + name); admin.Close() })
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	src := cfg.Clone()
	src.Params = nil
	return db, src
}

func localFS(t *testing.T) warehouse.FS {
	fsys, err := warehouse.NewLocalFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

// hdfsFS is a fresh directory of the mini HDFS, removed afterwards.
func hdfsFS(t *testing.T) warehouse.FS {
	t.Helper()
	ctx := context.Background()
	nn, confDir := testcluster.HDFS(t)
	loc, err := warehouse.ParseLocation(fmt.Sprintf("%s/hetl-test/export-%d", nn, time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := warehouse.NewHDFS(ctx, loc, warehouse.HDFSOptions{HadoopConfDir: confDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.RemoveAll(ctx, ""); warehouse.CloseFS(fsys) })
	return fsys
}

func importTable(t *testing.T, src *mysql.Config, fsys warehouse.FS, table string, mod func(*ingest.Options)) {
	t.Helper()
	o := ingest.Options{Source: src, Table: table, FS: fsys, Dir: table, Mappers: 2}
	if mod != nil {
		mod(&o)
	}
	if _, err := ingest.Run(context.Background(), o); err != nil {
		t.Fatalf("import %s: %v", table, err)
	}
}

func checksum(t *testing.T, db *sql.DB, table string) string {
	t.Helper()
	var name, sum sql.NullString
	if err := db.QueryRow("CHECKSUM TABLE "+table).Scan(&name, &sum); err != nil {
		t.Fatal(err)
	}
	return sum.String
}

func dump(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	raw := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	var sb strings.Builder
	for rows.Next() {
		rows.Scan(ptrs...)
		for _, b := range raw {
			if b == nil {
				sb.WriteString("NULL|")
			} else {
				if len(b) > 40 {
					b = b[:40]
				}
				fmt.Fprintf(&sb, "%q|", []byte(b))
			}
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

const everyType = `CREATE TABLE t (
	id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, mi MEDIUMINT, bi BIGINT, bu BIGINT UNSIGNED,
	b1 TINYINT(1), d DECIMAL(38,10), f FLOAT, dbl DOUBLE, bits BIT(64), y YEAR, dt DATE, tm TIME(6),
	dtm DATETIME(6), ts TIMESTAMP(6) NULL, c CHAR(3), v VARCHAR(40), tx TEXT, bin BINARY(3), vb VARBINARY(10), bl MEDIUMBLOB,
	e ENUM('a','b'), s SET('x','y','z'), j JSON, g GEOMETRY NULL, gen INT AS (id * 2) VIRTUAL)`

const everyRow = `INSERT INTO t (id, ti, tu, si, mi, bi, bu, b1, d, f, dbl, bits, y, dt, tm, dtm, ts, c, v, tx, bin, vb, bl, e, s, j, g) VALUES
	(1, -128, 255, -32768, -8388608, -9223372036854775808, 18446744073709551615, 1, -9999999999999999999999999999.9999999999,
	 -3.4028235e38, -1.7976931348623157e308, b'1111111111111111111111111111111111111111111111111111111111111111', 1901,
	 '1000-01-01', '-838:59:59.000000', '1000-01-01 00:00:00.000000', '1970-01-01 00:00:01.000000', 'ab', 'héllo 🌍', 'line\nbreak\ttab',
	 X'000102', X'FF00', REPEAT(X'AB', 1048576), 'a', 'x,z', '{"k": [1, "two", null]}', ST_GeomFromText('POINT(1 2)')),
	(2, 127, 0, 32767, 8388607, 9223372036854775807, 0, 0, 9999999999999999999999999999.9999999999,
	 1.17549435e-38, 5e-324, b'0', 2155, '9999-12-31', '838:59:59.999999', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999', '', '', '',
	 X'000000', X'', X'', 'b', '', 'null', ST_GeomFromText('LINESTRING(0 0, 1 1.5)')),
	(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`

// import → export into an empty copy of the table: both tables are
// identical, value for value, whatever format the directory holds.
func TestRoundTrip(t *testing.T) {
	hive := format.TextOptions{FieldsTerminatedBy: 1, EscapedBy: '\\', NullString: strp(`\N`), NullNonString: strp(`\N`)}
	tests := []struct {
		name string
		hdfs bool
		mod  func(*ingest.Options)
	}{
		{"parquet", false, nil},
		{"avro", false, func(o *ingest.Options) { o.Format = format.Avro }},
		{"avro deflate", false, func(o *ingest.Options) { o.Format, o.Codec = format.Avro, format.Gzip }},
		{"text escaped and enclosed", false, func(o *ingest.Options) {
			o.Format, o.Codec = format.Text, format.None
			o.Text = format.TextOptions{EscapedBy: '\\', EnclosedBy: '"', OptionallyEnclosedBy: true}
		}},
		{"text hive gzip", false, func(o *ingest.Options) { o.Format, o.Codec, o.Text = format.Text, format.Gzip, hive }},
		{"parquet on hdfs", true, nil},
		{"avro on hdfs", true, func(o *ingest.Options) { o.Format = format.Avro }},
		{"text on hdfs", true, func(o *ingest.Options) { o.Format, o.Codec, o.Text = format.Text, format.None, hive }},
	}
	db, src := scratch(t, everyType, everyRow)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			copyName := fmt.Sprintf("t_copy%d", i)
			if _, err := db.Exec("CREATE TABLE " + copyName + " LIKE t"); err != nil {
				t.Fatal(err)
			}
			fsys := localFS(t)
			if tt.hdfs {
				fsys = hdfsFS(t)
			}
			importTable(t, src, fsys, "t", tt.mod)
			res, err := Run(context.Background(), Options{Target: src, Table: copyName, FS: fsys, Dir: "t", BatchRows: 2})
			if err != nil {
				t.Fatal(err)
			}
			if res.Rows != 3 {
				t.Errorf("exported %d rows", res.Rows)
			}
			if a, b := checksum(t, db, "t"), checksum(t, db, copyName); a != b {
				t.Errorf("CHECKSUM TABLE: %s vs %s\n%s\nvs\n%s", a, b, dump(t, db, "SELECT * FROM t ORDER BY id"), dump(t, db, "SELECT * FROM "+copyName+" ORDER BY id"))
			}
		})
	}
}

func strp(s string) *string { return &s }

// A text directory's delimiters come from its manifest; --input-* options
// that contradict them make the read fail loudly, never load shifted
// columns.
func TestTextDelimiters(t *testing.T) {
	db, src := scratch(t,
		"CREATE TABLE src (id INT PRIMARY KEY, v VARCHAR(10), n INT)",
		"INSERT INTO src VALUES (1, 'a|b', 10), (2, NULL, NULL), (3, 'null', 30)",
		"CREATE TABLE dst LIKE src")
	fsys := localFS(t)
	importTable(t, src, fsys, "src", func(o *ingest.Options) {
		o.Format, o.Codec = format.Text, format.None
		o.Text = format.TextOptions{FieldsTerminatedBy: '\t', NullString: strp("NA"), NullNonString: strp("NA")}
	})
	m, err := ingest.ReadManifest(context.Background(), fsys, "src")
	if err != nil {
		t.Fatal(err)
	}
	if m.Text == nil || m.Text.FieldsTerminatedBy != "\t" || *m.Text.NullString != "NA" {
		t.Fatalf("manifest text layout: %+v", m.Text)
	}
	_, err = Run(context.Background(), Options{Target: src, Table: "dst", FS: fsys, Dir: "src", InputText: format.TextOptions{FieldsTerminatedBy: '|'}})
	if err == nil || !strings.Contains(err.Error(), "fields, the schema has 3 columns") {
		t.Errorf("reading tab-separated files with --input-fields-terminated-by '|': %v", err)
	}
	if _, err := Run(context.Background(), Options{Target: src, Table: "dst", FS: fsys, Dir: "src"}); err != nil {
		t.Fatal(err)
	}
	if a, b := checksum(t, db, "src"), checksum(t, db, "dst"); a != b {
		t.Errorf("CHECKSUM TABLE: %s vs %s\n%s", a, b, dump(t, db, "SELECT * FROM dst ORDER BY id"))
	}
}

// After a nullable column is added and rows appended, files of both
// schemas are exported; the older rows have NULL in the new column.
func TestEvolvedSchema(t *testing.T) {
	for _, f := range []format.Format{format.Parquet, format.Text, format.Avro} {
		t.Run(string(f), func(t *testing.T) {
			db, src := scratch(t,
				"CREATE TABLE src (id INT PRIMARY KEY, v VARCHAR(10))",
				"INSERT INTO src VALUES (1, 'a'), (2, 'b')")
			fsys := localFS(t)
			mod := func(o *ingest.Options) {
				o.Format, o.Mode = f, ingest.TargetAppend
				o.Incremental = &ingest.Incremental{Mode: ingest.IncrementalAppend, CheckColumn: "id"}
			}
			importTable(t, src, fsys, "src", mod)
			for _, q := range []string{"ALTER TABLE src ADD COLUMN extra INT NULL", "INSERT INTO src VALUES (3, 'c', 30)", "CREATE TABLE dst LIKE src"} {
				if _, err := db.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			importTable(t, src, fsys, "src", mod)
			if m, err := ingest.ReadManifest(context.Background(), fsys, "src"); err != nil || len(m.Schemas) != 2 || len(m.Files) < 2 {
				t.Fatalf("after the append the manifest should hold two schemas: %v", err)
			}
			res, err := Run(context.Background(), Options{Target: src, Table: "dst", FS: fsys, Dir: "src"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Rows != 3 {
				t.Errorf("exported %d rows", res.Rows)
			}
			if a, b := checksum(t, db, "src"), checksum(t, db, "dst"); a != b {
				t.Errorf("CHECKSUM TABLE: %s vs %s\n%s", a, b, dump(t, db, "SELECT * FROM dst ORDER BY id"))
			}
		})
	}
}

func TestUpdateModes(t *testing.T) {
	db, src := scratch(t,
		"CREATE TABLE src (id INT PRIMARY KEY, v VARCHAR(10), n INT)",
		"INSERT INTO src VALUES (1, 'new1', 10), (2, 'new2', 20), (3, 'new3', 30)",
		"CREATE TABLE dst (id INT PRIMARY KEY, v VARCHAR(10), n INT)",
		"INSERT INTO dst VALUES (1, 'old1', 1), (4, 'old4', 4)",
		"CREATE TABLE nokey (id INT, v VARCHAR(10), n INT)")
	fsys := localFS(t)
	importTable(t, src, fsys, "src", nil)
	if _, err := Run(context.Background(), Options{Target: src, Table: "dst", FS: fsys, Dir: "src", UpdateKey: []string{"id"}, UpdateMode: UpdateOnly}); err != nil {
		t.Fatal(err)
	}
	if got := dump(t, db, "SELECT id, v, n FROM dst ORDER BY id"); got != dump(t, db, "SELECT 1, 'new1', 10 UNION ALL SELECT 4, 'old4', 4") {
		t.Errorf("updateonly:\n%s", got)
	}
	if _, err := Run(context.Background(), Options{Target: src, Table: "dst", FS: fsys, Dir: "src", UpdateKey: []string{"id"}, UpdateMode: AllowInsert}); err != nil {
		t.Fatal(err)
	}
	want := dump(t, db, "SELECT 1, 'new1', 10 UNION ALL SELECT 2, 'new2', 20 UNION ALL SELECT 3, 'new3', 30 UNION ALL SELECT 4, 'old4', 4")
	if got := dump(t, db, "SELECT id, v, n FROM dst ORDER BY id"); got != want {
		t.Errorf("allowinsert:\n%s", got)
	}
	if _, err := Run(context.Background(), Options{Target: src, Table: "nokey", FS: fsys, Dir: "src", UpdateKey: []string{"id"}, UpdateMode: AllowInsert}); err == nil || !strings.Contains(err.Error(), "not a primary or unique key") {
		t.Errorf("allowinsert without a unique key: %v", err)
	}
}

// With a staging table, a failure while staging leaves the target as it
// was; success moves every row in one transaction and empties staging.
func TestStaging(t *testing.T) {
	db, src := scratch(t,
		"CREATE TABLE src (id INT PRIMARY KEY, v VARCHAR(10))",
		"INSERT INTO src SELECT seq, CONCAT('v', seq) FROM seq_1_to_1000",
		"CREATE TABLE dst (id INT PRIMARY KEY, v VARCHAR(10))",
		"INSERT INTO dst VALUES (5000, 'keep')",
		"CREATE TABLE stage (id INT PRIMARY KEY, v VARCHAR(10), CHECK (id <> 777))",
		"CREATE TABLE stage_ok (id INT PRIMARY KEY, v VARCHAR(10))",
		"INSERT INTO stage_ok VALUES (1, 'stale')")
	fsys := localFS(t)
	importTable(t, src, fsys, "src", func(o *ingest.Options) { o.ChunkRows = 100 })
	before := checksum(t, db, "dst")
	_, err := Run(context.Background(), Options{Target: src, Table: "dst", FS: fsys, Dir: "src", StagingTable: "stage", BatchRows: 50})
	if err == nil || !strings.Contains(err.Error(), "CONSTRAINT") {
		t.Fatalf("staging a row its CHECK refuses: %v", err)
	}
	if checksum(t, db, "dst") != before {
		t.Error("the target changed after a failed staged export")
	}
	if _, err := Run(context.Background(), Options{Target: src, Table: "dst", FS: fsys, Dir: "src", StagingTable: "stage_ok"}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("non-empty staging table: %v", err)
	}
	res, err := Run(context.Background(), Options{Target: src, Table: "dst", FS: fsys, Dir: "src", StagingTable: "stage_ok", ClearStaging: true, Writers: 3})
	if err != nil {
		t.Fatal(err)
	}
	var n, staged int
	db.QueryRow("SELECT COUNT(*) FROM dst").Scan(&n)
	db.QueryRow("SELECT COUNT(*) FROM stage_ok").Scan(&staged)
	if res.Rows != 1000 || n != 1001 || staged != 0 {
		t.Errorf("exported %d, target has %d, staging has %d", res.Rows, n, staged)
	}
	if _, err := Run(context.Background(), Options{Target: src, Table: "dst", FS: fsys, Dir: "src", StagingTable: "stage_ok", UpdateKey: []string{"id"}}); err == nil {
		t.Error("--staging-table with --update-key was accepted")
	}
}

func TestPartitionsAndErrors(t *testing.T) {
	db, src := scratch(t,
		"CREATE TABLE ev (id INT PRIMARY KEY, at DATETIME NOT NULL, v INT)",
		"INSERT INTO ev SELECT seq, '2026-11-21 00:00:00' + INTERVAL (seq * 60) SECOND, seq FROM seq_1_to_300",
		"CREATE TABLE ev_copy LIKE ev", "CREATE TABLE other (x INT)")
	fsys := localFS(t)
	importTable(t, src, fsys, "ev", func(o *ingest.Options) { o.PartitionBy, o.PartitionGranularity = "at", ingest.ByHour })
	res, err := Run(context.Background(), Options{Target: src, Table: "ev_copy", FS: fsys, Dir: "ev", Partitions: []string{"dt=2026-11-21/hr=01", "dt=2026-11-21/hr=03"}})
	if err != nil {
		t.Fatal(err)
	}
	var got int
	db.QueryRow("SELECT COUNT(*) FROM ev_copy WHERE HOUR(at) IN (1, 3)").Scan(&got)
	if res.Rows != 120 || got != 120 {
		t.Errorf("exported %d rows, %d in the hours asked", res.Rows, got)
	}
	res, err = Run(context.Background(), Options{Target: src, Table: "ev_copy", FS: fsys, Dir: "ev",
		From: time.Date(2026, 11, 21, 4, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 21, 5, 0, 0, 0, time.UTC)})
	if err != nil || res.Rows != 60 {
		t.Errorf("--from/--to: %v, %d rows", err, res.Rows)
	}
	for _, tt := range []struct {
		o    Options
		want string
	}{
		{Options{Table: "ev_copy", Dir: "ev", Partitions: []string{"dt=2026-11-22/hr=01"}}, "no data in partition(s) dt=2026-11-22/hr=01"},
		{Options{Table: "nope", Dir: "ev"}, "nope"},
		{Options{Table: "other", Dir: "ev"}, `has no column "id"`},
		{Options{Table: "ev_copy", Dir: "missing"}, "_SUCCESS"},
		{Options{Table: "ev_copy", Dir: "ev", Columns: []string{"id", "zzz"}}, `no column "zzz"`},
		{Options{Table: "ev_copy", Dir: "ev", UpdateMode: AllowInsert}, "--update-mode needs --update-key"},
	} {
		tt.o.Target, tt.o.FS = src, fsys
		if _, err := Run(context.Background(), tt.o); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %q", tt.o.Table, err, tt.want)
		}
	}
}
