package ddl

import (
	"context"
	"encoding/json"
	"errors"
	"path"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/warehouse"
)

func TestDescribeFixtures(t *testing.T) {
	want := map[string]struct {
		format     Format
		columns    int
		keys       []string
		partitions []string
	}{
		"import_partitioned": {Parquet, len(allMySQLColumns()), []string{"dt", "hr"},
			[]string{"dt=2026-11-21/hr=10", "dt=2026-11-21/hr=11", "dt=2026-11-22/hr=00", "dt=__HIVE_DEFAULT_PARTITION__/hr=__HIVE_DEFAULT_PARTITION__"}},
		"import_unpartitioned": {Parquet, 5, nil, nil},
		"pipeline_output":      {Parquet, 6, []string{"dt", "hr"}, []string{"dt=2026-11-21/hr=10", "dt=2026-11-21/hr=11"}},
		"text_day_partitioned": {Text, 7, []string{"dt"}, []string{"dt=2026-11-21", "dt=2026-11-22"}},
		"text_escaped":         {Text, 2, nil, nil},
		"avro":                 {Avro, 6, nil, nil},
	}
	for _, f := range fixtures {
		tb := describeFixture(t, f)
		w := want[f.name]
		var parts []string
		for _, p := range tb.Partitions {
			parts = append(parts, p.Path)
		}
		if tb.Format != w.format || len(tb.Columns) != w.columns || !reflect.DeepEqual(tb.PartitionKeys, w.keys) || !reflect.DeepEqual(parts, w.partitions) {
			t.Errorf("%s: format %s, %d columns, keys %v, partitions %v; want %+v", f.name, tb.Format, len(tb.Columns), tb.PartitionKeys, parts, w)
		}
		if tb.Location != "" {
			t.Errorf("%s: an in-memory warehouse has no location, got %q", f.name, tb.Location)
		}
	}
}

// A pipeline output whose root manifest is missing (published before hetl
// kept one) is described from its partitions the same way.
func TestDescribePipelineWithoutRootManifest(t *testing.T) {
	ctx := context.Background()
	fsys := warehouse.NewMemFS()
	writePipelineOutput(t, fsys, "out", time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC), time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC))
	with, err := Describe(ctx, fsys, "out", "a.out")
	if err != nil {
		t.Fatal(err)
	}
	if err := fsys.Remove(ctx, path.Join("out", ingest.SuccessFile)); err != nil {
		t.Fatal(err)
	}
	without, err := Describe(ctx, fsys, "out", "a.out")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range Dialects {
		a, err1 := d.Script(with, locOptions())
		b, err2 := d.Script(without, locOptions())
		if err1 != nil || err2 != nil || a != b {
			t.Errorf("%s: with the root manifest:\n%s (%v)\nwithout:\n%s (%v)", d, a, err1, b, err2)
		}
	}
}

func TestDescribeNotATable(t *testing.T) {
	ctx := context.Background()
	fsys := warehouse.NewMemFS()
	if err := fsys.MkdirAll(ctx, "empty"); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"missing", "empty"} {
		if _, err := Describe(ctx, fsys, dir, "t"); !errors.Is(err, ErrNotTable) {
			t.Errorf("%s: err = %v, want ErrNotTable", dir, err)
		}
	}
	if _, err := Describe(ctx, fsys, "empty", "bad name"); !errors.Is(err, ErrBadIdentifier) {
		t.Errorf("bad name: err = %v", err)
	}
}

// manifestWith writes a _SUCCESS with the given schemas for the files.
func manifestWith(t *testing.T, fsys warehouse.FS, dir string, mod func(m *ingest.Manifest)) {
	t.Helper()
	m := ingest.Manifest{Format: "parquet", Schemas: map[string]string{}}
	mod(&m)
	body, err := json.Marshal(&m)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, fsys, path.Join(dir, ingest.SuccessFile), body)
}

func schemaOf(t *testing.T, fields ...arrow.Field) (fp, enc string) {
	t.Helper()
	s := arrow.NewSchema(fields, nil)
	enc, err := ingest.EncodeSchema(s)
	if err != nil {
		t.Fatal(err)
	}
	return ingest.Fingerprint(s), enc
}

func TestDescribeSchemas(t *testing.T) {
	ctx := context.Background()
	fsys := warehouse.NewMemFS()
	a := arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64}
	fp1, enc1 := schemaOf(t, a)
	fp2, enc2 := schemaOf(t, a, arrow.Field{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true})
	fp3, enc3 := schemaOf(t, arrow.Field{Name: "a", Type: arrow.BinaryTypes.String}, arrow.Field{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true})

	// An append added a nullable column: the newest schema is declared.
	manifestWith(t, fsys, "evolved", func(m *ingest.Manifest) {
		m.SchemaFingerprint = fp2
		m.Schemas = map[string]string{fp1: enc1, fp2: enc2}
		m.Files = []ingest.ManifestFile{{Path: "p1.parquet", Schema: fp1}, {Path: "p2.parquet", Schema: fp2}}
	})
	tb, err := Describe(ctx, fsys, "evolved", "t")
	if err != nil || len(tb.Columns) != 2 || tb.Columns[1].Name != "b" {
		t.Errorf("evolved: %+v, %v", tb, err)
	}
	// Files giving a column two types.
	manifestWith(t, fsys, "conflict", func(m *ingest.Manifest) {
		m.SchemaFingerprint = fp3
		m.Schemas = map[string]string{fp1: enc1, fp3: enc3}
		m.Files = []ingest.ManifestFile{{Path: "p1.parquet", Schema: fp1}, {Path: "p3.parquet", Schema: fp3}}
	})
	if _, err := Describe(ctx, fsys, "conflict", "t"); !errors.Is(err, ErrSchemaConflict) || !strings.Contains(err.Error(), `column "a" is utf8`) {
		t.Errorf("conflict: err = %v", err)
	}
	// A schema no file uses any more does not count.
	manifestWith(t, fsys, "unused", func(m *ingest.Manifest) {
		m.SchemaFingerprint = fp3
		m.Schemas = map[string]string{fp1: enc1, fp3: enc3}
		m.Files = []ingest.ManifestFile{{Path: "p3.parquet", Schema: fp3}}
	})
	if _, err := Describe(ctx, fsys, "unused", "t"); err != nil {
		t.Errorf("unused schema: %v", err)
	}
	// Manifests from before hetl recorded schemas.
	manifestWith(t, fsys, "old", func(m *ingest.Manifest) { m.Columns = []ingest.ManifestColumn{{Name: "a", ArrowType: "int64"}} })
	if _, err := Describe(ctx, fsys, "old", "t"); err == nil || !strings.Contains(err.Error(), "older hetl") {
		t.Errorf("old manifest: err = %v", err)
	}
	manifestWith(t, fsys, "orc", func(m *ingest.Manifest) { m.Format = "orc"; m.SchemaFingerprint = fp1; m.Schemas[fp1] = enc1 })
	if _, err := Describe(ctx, fsys, "orc", "t"); !errors.Is(err, ErrUnsupportedLayout) {
		t.Errorf("orc: err = %v", err)
	}
	// Partitions of two depths.
	manifestWith(t, fsys, "mixed", func(m *ingest.Manifest) {
		m.SchemaFingerprint, m.PartitionBy = fp1, "at"
		m.Schemas[fp1] = enc1
		m.Files = []ingest.ManifestFile{{Path: "dt=2026-11-21/hr=10/p.parquet"}, {Path: "dt=2026-11-22/p.parquet"}}
	})
	if _, err := Describe(ctx, fsys, "mixed", "t"); err == nil || !strings.Contains(err.Error(), "dt=2026-11-22") {
		t.Errorf("mixed partitions: err = %v", err)
	}
}

// A partitioned import with no rows yet: hourly unless a day directory
// says otherwise.
func TestDescribeEmptyPartitionedImport(t *testing.T) {
	ctx := context.Background()
	fsys := warehouse.NewMemFS()
	schema := importSchema(t, allMySQLColumns()[:2])
	writeImport(t, fsys, "hourly", format.Parquet, schema, "created_at", nil, nil)
	writeImport(t, fsys, "daily", format.Parquet, schema, "created_at", nil, nil)
	if err := fsys.MkdirAll(ctx, "daily/dt=2026-11-21"); err != nil {
		t.Fatal(err)
	}
	for dir, keys := range map[string][]string{"hourly": {"dt", "hr"}, "daily": {"dt"}} {
		tb, err := Describe(ctx, fsys, dir, "t")
		if err != nil || !reflect.DeepEqual(tb.PartitionKeys, keys) || len(tb.Partitions) != 0 {
			t.Errorf("%s: %+v, %v; want keys %v", dir, tb, err, keys)
			continue
		}
		if parts, err := Hive.AddPartitions(tb, locOptions()); err != nil || len(parts) != 0 {
			t.Errorf("%s: partitions %v, %v", dir, parts, err)
		}
	}
}

// On a local warehouse the table's location is known, also through a
// wrapping FS.
func TestDescribeLocalLocation(t *testing.T) {
	ctx := context.Background()
	local, err := warehouse.NewLocalFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	writePipelineOutput(t, local, "a/out", time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC))
	want := "file:" + local.Root() + "/a/out"
	for _, fsys := range []warehouse.FS{local, warehouse.NewFaultFS(local)} {
		tb, err := Describe(ctx, fsys, "/a/out/", "a.out")
		if err != nil {
			t.Fatal(err)
		}
		if tb.Location != want || tb.Dir != "a/out" {
			t.Errorf("%s: location %q, dir %q; want %q", fsys, tb.Location, tb.Dir, want)
		}
		s, err := Hive.Script(tb, DefaultOptions())
		if err != nil || !strings.Contains(s, "LOCATION '"+want+"/dt=2026-11-21/hr=10'") {
			t.Errorf("script:\n%s\n%v", s, err)
		}
	}
}
