package ingest

import (
	"bytes"
	"context"
	"io"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/hamba/avro/v2/ocf"

	"github.com/hetl/hetl/ingest/format"
)

// TestTextAndAvroImports imports one table as delimited text and as Avro
// and checks every value against MySQL.
func TestTextAndAvroImports(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(50), d DECIMAL(10,3), dt DATETIME(3), b VARBINARY(8))`,
		"INSERT INTO t VALUES (1, 'tab\\there', 1.5, '2026-11-21 10:00:00.250', x'00'), (2, 'line\\nbreak \\\\ slash', -0.001, NULL, NULL), (3, NULL, NULL, '1000-01-01 00:00:00', x'4142')")
	ctx := context.Background()

	t.Run("text", func(t *testing.T) {
		fsys := localFS(t)
		m := mustImport(t, fsys, "t", src, func(o *Options) {
			o.Table, o.Format, o.Validate = "t", format.Text, false
			o.Text = format.TextOptions{FieldsTerminatedBy: '\t', LinesTerminatedBy: '\n', EscapedBy: '\\'}
		})
		var got []string
		for _, f := range m.Files {
			r, err := fsys.Open(ctx, path.Join("t", f.Path))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(r)
			r.Close()
			got = append(got, strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")...)
		}
		sort.Strings(got)
		esc := strings.NewReplacer("\\", "\\\\", "\t", "\\\t", "\n", "\\n")
		var want []string
		for _, row := range mysqlRows(t, db, "SELECT id, s, d, dt, b FROM t") {
			fields := strings.Split(row, "|")
			for i, f := range fields {
				if f == `\N` {
					fields[i] = "null"
				} else {
					fields[i] = esc.Replace(f)
				}
			}
			want = append(want, strings.Join(fields, "\t"))
		}
		diffRows(t, got, want)
		if m.Text == nil || *m.Text != (TextLayout{FieldsTerminatedBy: "\t", LinesTerminatedBy: "\n", EscapedBy: "\\"}) {
			t.Errorf("manifest text layout %+v", m.Text)
		}
		// One directory, one set of delimiters.
		_, err := Run(ctx, Options{Source: src, Table: "t", FS: fsys, Dir: "t", Mode: TargetAppend, Format: format.Text, Codec: format.None, Mappers: 1})
		if err == nil || !strings.Contains(err.Error(), "other delimiters") {
			t.Errorf("appending comma-separated text to a tab-separated directory: %v", err)
		}
	})

	t.Run("avro", func(t *testing.T) {
		fsys := localFS(t)
		m := mustImport(t, fsys, "t", src, func(o *Options) { o.Table, o.Format, o.Validate = "t", format.Avro, false })
		n := 0
		for _, f := range m.Files {
			r, err := fsys.Open(ctx, path.Join("t", f.Path))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(r)
			r.Close()
			dec, err := ocf.NewDecoder(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			for dec.HasNext() {
				var row map[string]any
				if err := dec.Decode(&row); err != nil {
					t.Fatal(err)
				}
				n++
				if row["id"] == int32(2) || row["id"] == 2 {
					if s, _ := row["s"].(string); s != "line\nbreak \\ slash" {
						if u, ok := row["s"].(map[string]any); !ok || u["string"] != "line\nbreak \\ slash" {
							t.Errorf("row 2 s = %#v", row["s"])
						}
					}
				}
			}
			if err := dec.Error(); err != nil {
				t.Fatal(err)
			}
		}
		if n != 3 || m.Rows != 3 {
			t.Errorf("avro rows %d, manifest %d", n, m.Rows)
		}
	})

	t.Run("validate refuses non-Parquet", func(t *testing.T) {
		_, err := importTo(t, localFS(t), "t", src, func(o *Options) { o.Table, o.Format = "t", format.Avro })
		if err == nil || !strings.Contains(err.Error(), "supports Parquet") {
			t.Errorf("--validate with Avro: %v", err)
		}
	})
}
