package ingest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/ingest/typemap"
	"github.com/hetl/hetl/warehouse"
)

// chunkOfFile finds the chunk number in a data file's name,
// part-<run id>-c<chunk>-<seq>.<ext>; anchored at the end because a run
// id's random hex part can itself look like "c01234".
var chunkOfFile = regexp.MustCompile(`-(c\d{5})-\d{3}\.[a-z.]+$`)

// allTypes is a table with every MySQL type hetl maps and edge values.
var allTypes = []string{
	`CREATE TABLE all_types (
		id INT PRIMARY KEY,
		ti TINYINT, tiu TINYINT UNSIGNED, flag TINYINT(1), si SMALLINT, siu SMALLINT UNSIGNED,
		mi MEDIUMINT, miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
		d DECIMAL(10,2), d38 DECIMAL(38,10), d65 DECIMAL(65,30), f FLOAT, dbl DOUBLE, b1 BIT(1), b64 BIT(64),
		y YEAR, dt DATE, dtm DATETIME, dtm6 DATETIME(6), ts TIMESTAMP(3) NULL, tm TIME, tm3 TIME(3),
		c CHAR(4), vc VARCHAR(100), l1 VARCHAR(20) CHARACTER SET latin1, txt TEXT, ltxt LONGTEXT,
		bin BINARY(4), vb VARBINARY(20), blb LONGBLOB, e ENUM('small','large'), st SET('a','b','c'),
		j JSON, g GEOMETRY, gen INT AS (i + 1) VIRTUAL
	)`,
	`INSERT INTO all_types (id, ti, tiu, flag, si, siu, mi, miu, i, iu, bi, biu, d, d38, d65, f, dbl, b1, b64, y, dt, dtm, dtm6, ts, tm, tm3, c, vc, l1, txt, ltxt, bin, vb, blb, e, st, j, g) VALUES
	(1, -128, 0, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0,
	 -99999999.99, -9999999999999999999999999999.9999999999, -99999999999999999999999999999999999.999999999999999999999999999999,
	 -3.40282e38, -1.7976931348623157e308, b'0', b'0', 1901, '1000-01-01', '1000-01-01 00:00:00', '1000-01-01 00:00:00.000000', '1970-01-01 00:00:01.000',
	 '-838:59:59', '-00:00:00.001', '', '', '', '', '', x'00000000', x'', x'', 'small', '', '{}', ST_GeomFromText('POINT(0 0)')),
	(2, 127, 255, 1, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615,
	 99999999.99, 9999999999999999999999999999.9999999999, 99999999999999999999999999999999999.999999999999999999999999999999,
	 1234567, 2.718281828459045, b'1', b'1111111111111111111111111111111111111111111111111111111111111111', 2155, '9999-12-31', '9999-12-31 23:59:59', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999',
	 '838:59:59', '838:59:59.000', 'abcd', 'tab\there, comma, newline\nand quote"', 'café ñ', '😀 four-byte 𝄞', REPEAT('long ', 1000),
	 x'DEADBEEF', x'00FF00', REPEAT(x'AB', 3145728), 'large', 'a,b,c', '{"k": [1, 2.5, "x"], "n": null}', ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))')),
	(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
	(4, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0.0000000001, 0.000000000000000000000000000001, 0.1, 1e-300, b'1', b'1010', 2000, '2024-02-29', '0000-00-00 00:00:00', '2026-11-21 13:45:07.5', '2026-11-21 13:45:07.123',
	 '25:00:00', '00:00:00.5', 'x', ' leading and trailing ', 'Åsa', 'مرحبا', '', x'01', x'0102', x'00', 'small', 'b', '[1, 2]', ST_GeomFromText('LINESTRING(0 0,1 1,2 2)'))`,
}

// allTypesSelect renders all_types as arrowCanonical renders the file.
const allTypesSelect = `SELECT id, ti, tiu, flag, si, siu, mi, miu, i, iu, bi, biu, d, d38, d65, CONCAT(CAST(f AS DOUBLE)), CONCAT(dbl),
	CAST(b1 AS UNSIGNED), CAST(b64 AS UNSIGNED), y, IF(DAYNAME(dt) IS NULL, NULL, dt), IF(DAYNAME(dtm) IS NULL, NULL, dtm), dtm6, ts, tm, tm3,
	c, vc, l1, txt, ltxt, HEX(bin), HEX(vb), HEX(blb), e, st, j, HEX(ST_AsWKB(g)), gen FROM all_types`

func TestTypeFidelity(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, allTypes...)
	fsys := localFS(t)
	m := mustImport(t, fsys, "all_types", src, func(o *Options) { o.Table = "all_types"; o.ChunkRows = 1 })
	if m.Rows != 4 || !m.Validated || m.ZeroDatesNulled != 1 {
		t.Errorf("manifest: rows %d, validated %v, zero dates nulled %d", m.Rows, m.Validated, m.ZeroDatesNulled)
	}
	diffRows(t, readRows(t, fsys, "all_types"), mysqlRows(t, db, allTypesSelect))
	// The MySQL type travels with every column.
	for _, c := range m.Columns {
		if c.MySQLType == "" {
			t.Errorf("column %s has no mysql type in the manifest", c.Name)
		}
	}
	if !m.Snapshot.Consistent {
		t.Errorf("snapshot not consistent on MariaDB: %+v", m.Snapshot)
	}
}

func TestZeroDatePolicies(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE z (id INT PRIMARY KEY, dt DATE, v VARCHAR(10))`,
		`INSERT INTO z VALUES (1, '0000-00-00', 'a'), (2, '2024-01-01', 'b'), (3, '2024-02-30', 'c')`)
	fsys := localFS(t)
	_, err := importTo(t, fsys, "err", src, func(o *Options) {
		o.Table = "z"
		o.Policies.ZeroDates = typemap.ZeroDateError
	})
	if err == nil || !strings.Contains(err.Error(), "zero or invalid date") {
		t.Errorf("policy error: %v", err)
	}
	if _, err := fsys.Stat(context.Background(), "err"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed import published something: %v", err)
	}
	m := mustImport(t, fsys, "q", src, func(o *Options) {
		o.Table = "z"
		o.Policies.ZeroDates = typemap.ZeroDateQuarantine
	})
	if m.Rows != 1 || m.Quarantined != 2 || m.Checksum.Rows != 3 {
		t.Errorf("quarantine: rows %d quarantined %d checksum rows %d", m.Rows, m.Quarantined, m.Checksum.Rows)
	}
	ents, err := fsys.ReadDir(context.Background(), "q/_quarantine")
	if err != nil || len(ents) != 1 {
		t.Errorf("quarantine files: %v, %v", ents, err)
	}
}

func TestSplits(t *testing.T) {
	db, src := testDB(t)
	exec(t, db,
		`CREATE TABLE skewed (id BIGINT PRIMARY KEY, v INT)`,
		`INSERT INTO skewed SELECT seq, seq FROM seq_1_to_5000`,
		`INSERT INTO skewed SELECT 1000000000000 + seq * 1000000, seq FROM seq_1_to_50`,
		`CREATE TABLE ci (k VARCHAR(20) COLLATE utf8mb4_general_ci PRIMARY KEY, v INT)`,
		`INSERT INTO ci SELECT CONCAT(IF(seq % 2, 'a', 'A'), IF(seq % 3, 'Ä', 'b'), LPAD(seq, 5, '0')), seq FROM seq_1_to_3000`,
		`CREATE TABLE l1 (k VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_swedish_ci PRIMARY KEY, v INT)`,
		`INSERT INTO l1 SELECT CONCAT(IF(seq % 2, 'ö', 'O'), LPAD(seq, 5, '0')), seq FROM seq_1_to_2000`,
		`CREATE TABLE comp (a INT, b VARCHAR(10), v INT, PRIMARY KEY (a, b))`,
		`INSERT INTO comp SELECT seq % 7, CONCAT('k', seq), seq FROM seq_1_to_2000`,
		`CREATE TABLE nokey (v INT, s VARCHAR(10))`,
		`INSERT INTO nokey SELECT seq, 'x' FROM seq_1_to_500`,
		`CREATE TABLE dup (id INT PRIMARY KEY, g INT, v INT)`,
		`INSERT INTO dup SELECT seq, IF(seq < 1500, 1, seq), seq FROM seq_1_to_2000`,
	)
	tests := []struct {
		name, table, query, where, columns, splitBy, sel string
		mappers                                          int
		chunkRows                                        int64
		minChunks                                        int
	}{
		{name: "skewed", table: "skewed", sel: "SELECT id, v FROM skewed", mappers: 3, chunkRows: 500, minChunks: 10},
		{name: "ci collation", table: "ci", sel: "SELECT k, v FROM ci", mappers: 2, chunkRows: 100, minChunks: 30},
		{name: "latin1 swedish ci", table: "l1", sel: "SELECT k, v FROM l1", mappers: 2, chunkRows: 100, minChunks: 20},
		{name: "composite key", table: "comp", sel: "SELECT a, b, v FROM comp", mappers: 3, chunkRows: 150, minChunks: 13},
		{name: "no key", table: "nokey", sel: "SELECT v, s FROM nokey", mappers: 4, minChunks: 1},
		{name: "non-unique split-by", table: "dup", splitBy: "g", sel: "SELECT id, g, v FROM dup", mappers: 2, chunkRows: 100, minChunks: 3},
		{name: "where and columns", table: "skewed", where: "v % 2 = 0", columns: "v,id", sel: "SELECT v, id FROM skewed WHERE v % 2 = 0", mappers: 2, chunkRows: 300, minChunks: 5},
		{name: "query", query: "SELECT s.id, s.v * 2 AS v2 FROM skewed s WHERE s.v < 4000 AND $CONDITIONS", splitBy: "id", sel: "SELECT id, v * 2 FROM skewed WHERE v < 4000", mappers: 2, minChunks: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := localFS(t)
			m := mustImport(t, fsys, "out", src, func(o *Options) {
				o.Table, o.Query, o.Where, o.SplitBy, o.Mappers, o.ChunkRows = tt.table, tt.query, tt.where, tt.splitBy, tt.mappers, tt.chunkRows
				if tt.columns != "" {
					o.Columns = strings.Split(tt.columns, ",")
				}
			})
			chunks := map[string]bool{}
			for _, f := range m.Files {
				chunks[chunkOfFile.FindStringSubmatch(path.Base(f.Path))[1]] = true
			}
			if len(chunks) < tt.minChunks {
				t.Errorf("%d chunks wrote rows, want at least %d", len(chunks), tt.minChunks)
			}
			diffRows(t, readRows(t, fsys, "out"), mysqlRows(t, db, tt.sel))
		})
	}
}

func TestTargetModes(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE t (id INT PRIMARY KEY, v INT)`, `INSERT INTO t SELECT seq, seq FROM seq_1_to_100`)
	fsys := localFS(t)
	ctx := context.Background()
	first := mustImport(t, fsys, "t", src, func(o *Options) { o.Table = "t" })
	if _, err := importTo(t, fsys, "t", src, func(o *Options) { o.Table = "t" }); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("existing target: %v", err)
	}
	exec(t, db, `INSERT INTO t SELECT seq, seq FROM seq_101_to_150`)
	second := mustImport(t, fsys, "t", src, func(o *Options) { o.Table = "t"; o.Mode = TargetReplace })
	if second.Rows != 150 || len(readRows(t, fsys, "t")) != 150 {
		t.Errorf("replace: %d rows", second.Rows)
	}
	for _, f := range first.Files {
		if _, err := fsys.Stat(ctx, path.Join("t", f.Path)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("old file %s survived the replace", f.Path)
		}
	}
	third := mustImport(t, fsys, "t", src, func(o *Options) { o.Table = "t"; o.Mode = TargetAppend; o.Where = "id <= 10" })
	if third.Rows != 10 || len(readRows(t, fsys, "t")) != 160 {
		t.Errorf("append: %d rows, table has %d", third.Rows, len(readRows(t, fsys, "t")))
	}
	// No temporary directory is left beside the target.
	ents, _ := fsys.ReadDir(ctx, "")
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "_") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestPartitionByHour(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE ev (id INT PRIMARY KEY, created_at DATETIME(3), ts TIMESTAMP NULL)`,
		`INSERT INTO ev SELECT seq, '2026-11-21 00:00:00' + INTERVAL (seq * 97) SECOND, NULL FROM seq_1_to_2000`,
		`INSERT INTO ev VALUES (5000, NULL, NULL)`)
	fsys := localFS(t)
	m := mustImport(t, fsys, "ev", src, func(o *Options) {
		o.Table, o.PartitionBy, o.PartitionGranularity, o.ChunkRows = "ev", "created_at", ByHour, 300
	})
	parts := map[string]int64{}
	for _, f := range m.Files {
		parts[path.Dir(f.Path)] += f.Rows
	}
	// 2000 rows 97 s apart span 54 hours.
	want := mysqlRows(t, db, `SELECT CONCAT(p, ' ', n) FROM (SELECT CONCAT('dt=', DATE(created_at), '/hr=', LPAD(HOUR(created_at), 2, '0')) AS p, COUNT(*) AS n FROM ev WHERE created_at IS NOT NULL GROUP BY p) x`)
	var got []string
	for p, n := range parts {
		if strings.Contains(p, "__HIVE_DEFAULT_PARTITION__") {
			if n != 1 {
				t.Errorf("default partition has %d rows", n)
			}
			continue
		}
		got = append(got, fmt.Sprintf("%s %d", p, n))
	}
	diffRows(t, sorted(got), want)
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// corruptingFS flips a marker inside data files as they are written, the
// way a bad disk or a buggy writer would.
type corruptingFS struct {
	warehouse.FS
	from, to []byte
}

func (c *corruptingFS) Create(ctx context.Context, name string, o warehouse.CreateOptions) (warehouse.Writer, error) {
	w, err := c.FS.Create(ctx, name, o)
	if err != nil || !strings.HasSuffix(name, ".parquet") {
		return w, err
	}
	return &corruptingWriter{Writer: w, c: c}, nil
}

type corruptingWriter struct {
	warehouse.Writer
	c *corruptingFS
}

func (w *corruptingWriter) Write(b []byte) (int, error) {
	n := len(b)
	b = []byte(strings.ReplaceAll(string(b), string(w.c.from), string(w.c.to)))
	if _, err := w.Writer.Write(b); err != nil {
		return 0, err
	}
	return n, nil
}

func TestValidateCatchesCorruption(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(40))`,
		`INSERT INTO t SELECT seq, CONCAT('row-', seq) FROM seq_1_to_99`,
		`INSERT INTO t VALUES (100, 'MARKER-the-original-value')`)
	fsys := &corruptingFS{FS: localFS(t), from: []byte("MARKER-the-original-value"), to: []byte("MARKER-the-0riginal-value")}
	_, err := importTo(t, fsys, "t", src, func(o *Options) { o.Table = "t"; o.Codec = format.None })
	if !errors.Is(err, ErrValidation) || !strings.Contains(err.Error(), "columns that differ: s") {
		t.Fatalf("import of a corrupted file: %v", err)
	}
	if _, err := fsys.Stat(context.Background(), "t"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a table that failed validation was published")
	}
}
