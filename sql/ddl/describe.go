package ddl

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/meta"
	"github.com/hetl/hetl/jobs"
	"github.com/hetl/hetl/warehouse"
)

// Describe reads the table published in dir (relative to fsys's root):
// an import (hetl import, its _SUCCESS manifest) or a pipeline's output
// (its partitions' manifests and the root _SUCCESS rebuilt from them).
// name is the table's name in the metastore, TABLE or SCHEMA.TABLE.
//
// The columns are those of the newest schema the table's files were
// written with (an append that added a nullable column, or a pipeline
// whose newest window has one more column); a column that another of its
// schemas gives a different type is ErrSchemaConflict. Location is set
// when fsys is a local or HDFS warehouse.
func Describe(ctx context.Context, fsys warehouse.FS, dir, name string) (*Table, error) {
	dir = strings.Trim(path.Clean("/"+dir), "/")
	if _, _, err := splitName(name); err != nil {
		return nil, err
	}
	m, err := ingest.ReadManifest(ctx, fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		// A pipeline output published before hetl kept a root
		// manifest: its partitions' manifests say the same.
		m, err = pipelineManifest(ctx, fsys, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", dir, err)
	}
	t := &Table{Name: name, Dir: dir, Format: Format(m.Format), Text: m.Text, Location: warehouseLocation(fsys, dir)}
	switch t.Format {
	case Parquet, Text, Avro:
	default:
		return nil, fmt.Errorf("describe %s: format %q: %w", dir, m.Format, ErrUnsupportedLayout)
	}
	schema, err := tableSchema(m)
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", dir, err)
	}
	for _, f := range schema.Fields() {
		c := Column{Name: f.Name, Type: f.Type, Nullable: f.Nullable}
		c.Logical, _ = f.Metadata.GetValue(meta.Logical)
		c.MySQLType, _ = f.Metadata.GetValue(meta.MySQLType)
		t.Columns = append(t.Columns, c)
	}
	if m.PartitionBy != "" {
		if err := describePartitions(ctx, fsys, dir, m, t); err != nil {
			return nil, fmt.Errorf("describe %s: %w", dir, err)
		}
	}
	return t, nil
}

// pipelineManifest builds a root manifest from a pipeline output's
// partitions when the table has none.
func pipelineManifest(ctx context.Context, fsys warehouse.FS, dir string) (*ingest.Manifest, error) {
	parts, err := jobs.Partitions(ctx, fsys, dir)
	if errors.Is(err, fs.ErrNotExist) || err == nil && len(parts) == 0 {
		return nil, fmt.Errorf("no %s manifest and no published partition: %w", ingest.SuccessFile, ErrNotTable)
	}
	if err != nil {
		return nil, err
	}
	pm, err := jobs.ReadPartitionManifest(ctx, fsys, dir, parts[len(parts)-1])
	if err != nil {
		return nil, err
	}
	m := &ingest.Manifest{Format: string(Parquet), Mode: "pipeline", PartitionBy: pm.PartitionBy,
		SchemaFingerprint: pm.SchemaFingerprint, Schemas: map[string]string{}}
	for _, p := range parts {
		pm, err := jobs.ReadPartitionManifest(ctx, fsys, dir, p)
		if err != nil {
			return nil, err
		}
		m.Schemas[pm.SchemaFingerprint] = pm.Schema
		for _, f := range pm.Files {
			f.Path = path.Join(p, f.Path)
			m.Files = append(m.Files, f)
		}
	}
	if m.PartitionBy == "" {
		m.PartitionBy = jobs.WindowColumn
	}
	return m, nil
}

// tableSchema is the manifest's newest schema, checked against the
// others its files were written with.
func tableSchema(m *ingest.Manifest) (*arrow.Schema, error) {
	enc, ok := m.Schemas[m.SchemaFingerprint]
	if !ok || m.SchemaFingerprint == "" {
		return nil, errors.New("the manifest does not record the table's schema (published by an older hetl); re-import the table or rerun a window")
	}
	schema, err := ingest.DecodeSchema(enc)
	if err != nil {
		return nil, fmt.Errorf("the manifest's schema %s: %w", m.SchemaFingerprint, err)
	}
	used := map[string]bool{}
	for _, f := range m.Files {
		used[f.Schema] = true
	}
	fps := make([]string, 0, len(m.Schemas))
	for fp := range m.Schemas {
		fps = append(fps, fp)
	}
	sort.Strings(fps)
	for _, fp := range fps {
		if fp == m.SchemaFingerprint || !used[fp] {
			continue
		}
		other, err := ingest.DecodeSchema(m.Schemas[fp])
		if err != nil {
			return nil, fmt.Errorf("the manifest's schema %s: %w", fp, err)
		}
		for _, f := range other.Fields() {
			idx := schema.FieldIndices(f.Name)
			if len(idx) == 0 {
				continue // a column gone from the newest schema: not declared, not read
			}
			if nf := schema.Field(idx[0]); !arrow.TypeEqual(nf.Type, f.Type) {
				return nil, fmt.Errorf("column %q is %s in the newest files and %s in others (schema %s): %w", f.Name, nf.Type, f.Type, fp, ErrSchemaConflict)
			}
		}
	}
	return schema, nil
}

// describePartitions sets t's partition keys and partitions: a pipeline's
// published partitions, an import's partitions holding files.
func describePartitions(ctx context.Context, fsys warehouse.FS, dir string, m *ingest.Manifest, t *Table) error {
	var paths []string
	if m.Mode == "pipeline" {
		parts, err := jobs.Partitions(ctx, fsys, dir)
		if err != nil {
			return err
		}
		paths = parts
	} else {
		seen := map[string]bool{}
		for _, f := range m.Files {
			p := path.Dir(f.Path)
			if p != "." && !seen[p] {
				seen[p] = true
				paths = append(paths, p)
			}
		}
		sort.Strings(paths)
	}
	t.PartitionKeys = []string{"dt", "hr"}
	switch {
	case len(paths) > 0 && !strings.Contains(paths[0], "/"):
		t.PartitionKeys = []string{"dt"}
	case len(paths) == 0 && m.Mode != "pipeline":
		// No rows yet: the directory may still show the granularity.
		if day, err := dayPartitioned(ctx, fsys, dir); err != nil {
			return err
		} else if day {
			t.PartitionKeys = []string{"dt"}
		}
	}
	for _, p := range paths {
		part, err := ParsePartition(p, t.PartitionKeys)
		if err != nil {
			return err
		}
		t.Partitions = append(t.Partitions, part)
	}
	return nil
}

// dayPartitioned reports whether dir has a dt=... directory with no
// hr=... directory in it.
func dayPartitioned(ctx context.Context, fsys warehouse.FS, dir string) (bool, error) {
	ents, err := fsys.ReadDir(ctx, dir)
	if err != nil {
		return false, err
	}
	for _, e := range ents {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "dt=") {
			continue
		}
		sub, err := fsys.ReadDir(ctx, path.Join(dir, e.Name()))
		if err != nil {
			return false, err
		}
		for _, s := range sub {
			if s.IsDir() && strings.HasPrefix(s.Name(), "hr=") {
				return false, nil
			}
		}
		return true, nil
	}
	return false, nil
}

// warehouseLocation is the URI of dir in a local or HDFS warehouse, ""
// for other filesystems.
func warehouseLocation(fsys warehouse.FS, dir string) string {
	for {
		u, ok := fsys.(interface{ Unwrap() warehouse.FS })
		if !ok {
			break
		}
		fsys = u.Unwrap()
	}
	var base string
	switch f := fsys.(type) {
	case *warehouse.LocalFS:
		base = "file:" + f.Root()
	case *warehouse.HDFS:
		base = f.String()
	default:
		return ""
	}
	base = strings.TrimRight(base, "/")
	if dir == "" {
		return base
	}
	return base + "/" + dir
}
