package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/warehouse"
)

// A merge (--merge-key) publishes an incremental run so that each key has
// only its newest row: the run's rows replace the target's rows with the
// same key. Files of the target holding none of the run's keys are kept;
// files holding some are rewritten without those rows. What changes is
// published atomically: per partition (the partitions the run writes to
// or rewrites), or — without --partition-by — the whole table at once,
// which then means copying its unchanged files too.

// keySet holds the merge keys of the run's rows.
type keySet map[string]struct{}

// mergeKeyIndexes are the key columns' positions in schema.
func mergeKeyIndexes(schema *arrow.Schema, keys []string) ([]int, error) {
	idx := make([]int, len(keys))
	for i, k := range keys {
		found := -1
		for fi, f := range schema.Fields() {
			if strings.EqualFold(f.Name, k) {
				found = fi
			}
		}
		if found < 0 {
			return nil, fmt.Errorf("--merge-key %s: not a column of the file", k)
		}
		idx[i] = found
	}
	return idx, nil
}

// rowKey renders row's key; a NULL part is distinct from any value.
func rowKey(rec arrow.RecordBatch, idx []int, row int, buf []byte) []byte {
	buf = buf[:0]
	for i, c := range idx {
		if i > 0 {
			buf = append(buf, 0)
		}
		col := rec.Column(c)
		if col.IsNull(row) {
			buf = append(buf, 1)
			continue
		}
		buf = append(buf, col.ValueStr(row)...)
	}
	return buf
}

// eachParquetBatch calls fn with every record batch of a Parquet file.
func eachParquetBatch(ctx context.Context, fsys warehouse.FS, name string, fn func(arrow.RecordBatch) error) (*arrow.Schema, error) {
	f, err := fsys.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pr, err := file.NewParquetReader(io.NewSectionReader(f, 0, f.Size()))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer pr.Close()
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: 8192}, memory.DefaultAllocator)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer rr.Release()
	for rr.Next() {
		if err := fn(rr.RecordBatch()); err != nil {
			return nil, err
		}
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return rr.Schema(), nil
}

// runKeys reads the keys of the run's files.
func (j *importJob) runKeys(ctx context.Context, m *Manifest) (keySet, error) {
	keys := keySet{}
	var buf []byte
	for _, f := range m.Files {
		var idx []int
		_, err := eachParquetBatch(ctx, j.opts.FS, path.Join(j.tmpDir, f.Path), func(rec arrow.RecordBatch) error {
			if idx == nil {
				var err error
				if idx, err = mergeKeyIndexes(rec.Schema(), j.opts.MergeKey); err != nil {
					return err
				}
			}
			for r := 0; r < int(rec.NumRows()); r++ {
				buf = rowKey(rec, idx, r, buf)
				keys[string(buf)] = struct{}{}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// hasKey reports whether a target file holds any of keys.
func (j *importJob) hasKey(ctx context.Context, name string, keys keySet) (bool, error) {
	found := false
	var buf []byte
	var idx []int
	stop := errors.New("found")
	_, err := eachParquetBatch(ctx, j.opts.FS, name, func(rec arrow.RecordBatch) error {
		if idx == nil {
			var err error
			if idx, err = mergeKeyIndexes(rec.Schema(), j.opts.MergeKey); err != nil {
				return err
			}
		}
		for r := 0; r < int(rec.NumRows()); r++ {
			buf = rowKey(rec, idx, r, buf)
			if _, ok := keys[string(buf)]; ok {
				found = true
				return stop
			}
		}
		return nil
	})
	if errors.Is(err, stop) {
		err = nil
	}
	return found, err
}

// rewriteWithout writes src's rows whose key is not in keys to dst and
// returns the new file's entry (nil when no row is left).
func (j *importJob) rewriteWithout(ctx context.Context, src, dst string, keys keySet) (*ManifestFile, error) {
	var w format.Writer
	var nulls []int64
	var idx []int
	var buf []byte
	mem := memory.DefaultAllocator
	_, err := eachParquetBatch(ctx, j.opts.FS, src, func(rec arrow.RecordBatch) error {
		if idx == nil {
			var err error
			if idx, err = mergeKeyIndexes(rec.Schema(), j.opts.MergeKey); err != nil {
				return err
			}
			nulls = make([]int64, rec.NumCols())
		}
		keep := array.NewBooleanBuilder(mem)
		defer keep.Release()
		kept := 0
		for r := 0; r < int(rec.NumRows()); r++ {
			buf = rowKey(rec, idx, r, buf)
			_, drop := keys[string(buf)]
			keep.Append(!drop)
			if !drop {
				kept++
			}
		}
		if kept == 0 {
			return nil
		}
		mask := keep.NewBooleanArray()
		defer mask.Release()
		out, err := compute.FilterRecordBatch(ctx, rec, mask, compute.DefaultFilterOptions())
		if err != nil {
			return err
		}
		defer out.Release()
		if w == nil {
			opts := j.formatOptions()
			opts.FileMetadata["hetl.merged_from"] = path.Base(src)
			if w, err = format.NewWriter(ctx, j.opts.FS, dst, format.Parquet, out.Schema(), opts); err != nil {
				return err
			}
		}
		for i := range nulls {
			nulls[i] += int64(out.Column(i).NullN())
		}
		return w.Write(out)
	})
	if err != nil {
		if w != nil {
			_ = w.Close()
		}
		return nil, err
	}
	if w == nil {
		return nil, nil
	}
	rows := w.Rows()
	if err := w.Close(); err != nil {
		return nil, err
	}
	info, err := j.opts.FS.Stat(ctx, dst)
	if err != nil {
		return nil, err
	}
	return &ManifestFile{Rows: rows, Bytes: info.Size(), Nulls: nulls}, nil
}

// copyFile copies a target file into the temporary directory unchanged.
func copyFile(ctx context.Context, fsys warehouse.FS, src, dst string) error {
	in, err := fsys.Open(ctx, src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := fsys.MkdirAll(ctx, path.Dir(dst)); err != nil {
		return err
	}
	out, err := fsys.Create(ctx, dst, warehouse.CreateOptions{SizeHint: in.Size()})
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, io.NewSectionReader(in, 0, in.Size())); err != nil {
		return errors.Join(err, out.Close())
	}
	return out.Close()
}

// publishMerge publishes a merge; see the comment at the top.
func (j *importJob) publishMerge(ctx context.Context, m *Manifest) error {
	o := j.opts
	prev, err := ReadManifest(ctx, o.FS, o.Dir)
	if err != nil {
		return fmt.Errorf("merge: read the manifest of %s: %w", o.Dir, err)
	}
	keys, err := j.runKeys(ctx, m)
	if err != nil {
		return fmt.Errorf("merge: read the run's keys: %w", err)
	}
	partOf := func(p string) string {
		if o.PartitionBy == "" {
			return "."
		}
		return path.Dir(p)
	}
	affected := map[string]bool{}
	for _, f := range m.Files {
		affected[partOf(f.Path)] = true
	}
	stale := map[string]bool{}
	for _, f := range prev.Files {
		has, err := j.hasKey(ctx, path.Join(o.Dir, f.Path), keys)
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		if has {
			stale[f.Path] = true
			affected[partOf(f.Path)] = true
		}
	}
	if o.PartitionBy == "" && len(stale) == 0 {
		// Nothing to take out: the run's rows are new keys only, and an
		// append publishes them without copying the table.
		m.Mode = "merge"
		return j.publishAppend(ctx, m)
	}

	// The new content of every affected partition goes into the
	// temporary directory: unchanged files copied, stale ones rewritten,
	// the run's files already there.
	whole := *prev
	whole.Files = nil
	seq := 0
	for _, f := range prev.Files {
		if !affected[partOf(f.Path)] {
			whole.Files = append(whole.Files, f)
			continue
		}
		if !stale[f.Path] {
			if err := copyFile(ctx, o.FS, path.Join(o.Dir, f.Path), path.Join(j.tmpDir, f.Path)); err != nil {
				return fmt.Errorf("merge: copy %s: %w", f.Path, err)
			}
			whole.Files = append(whole.Files, f)
			continue
		}
		rel := path.Join(path.Dir(f.Path), fmt.Sprintf("part-%s-m%05d.parquet", o.RunID, seq))
		seq++
		nf, err := j.rewriteWithout(ctx, path.Join(o.Dir, f.Path), path.Join(j.tmpDir, rel), keys)
		if err != nil {
			return fmt.Errorf("merge: rewrite %s: %w", f.Path, err)
		}
		if nf != nil {
			nf.Path, nf.Schema = rel, f.Schema
			whole.Files = append(whole.Files, *nf)
		}
	}
	whole.Files = append(whole.Files, m.Files...)
	sort.Slice(whole.Files, func(a, b int) bool { return whole.Files[a].Path < whole.Files[b].Path })
	whole.RunID, whole.Mode = m.RunID, "merge"
	whole.StartedAt, whole.FinishedAt, whole.Seconds = m.StartedAt, m.FinishedAt, m.Seconds
	whole.Snapshot, whole.Incremental, whole.SchemaFingerprint = m.Snapshot, m.Incremental, m.SchemaFingerprint
	whole.Columns = append([]ManifestColumn(nil), m.Columns...)
	whole.keepSchemas(prev, m)
	recount(&whole)
	whole.Checksum, whole.Validated = Checksum{Columns: m.Checksum.Columns}, false
	var parts []string
	for p := range affected {
		if p != "." {
			parts = append(parts, p)
		}
	}
	sort.Strings(parts)
	whole.ChangedPartitions = parts
	m.Mode, m.ChangedPartitions = "merge", parts

	wholeBody, err := json.MarshalIndent(&whole, "", "  ")
	if err != nil {
		return err
	}
	runBody, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if o.PartitionBy != "" {
		rec, err := json.Marshal(pendingRecord{RunID: m.RunID, Kind: "replace-partitions", TmpDir: j.tmpDir, Partitions: parts, Manifest: wholeBody})
		if err != nil {
			return err
		}
		if err := writeFile(ctx, o.FS, intentPath(o.Dir, m.RunID), rec, false); err != nil {
			return err
		}
		j.keepTmp = true
		if err := writeFile(ctx, o.FS, path.Join(j.tmpDir, "_hetl_run.json"), runBody, false); err != nil {
			return err
		}
		return finishPartitionReplace(ctx, o.FS, o.Dir, pendingRecord{RunID: m.RunID, TmpDir: j.tmpDir, Partitions: parts, Manifest: wholeBody}, &whole)
	}
	// Not partitioned: the temporary directory becomes the whole table,
	// with the manifests of earlier runs, in one step.
	hist := path.Join(o.Dir, "_hetl", "manifests")
	if ents, err := o.FS.ReadDir(ctx, hist); err == nil {
		for _, e := range ents {
			if err := copyFile(ctx, o.FS, path.Join(hist, e.Name()), path.Join(j.tmpDir, "_hetl", "manifests", e.Name())); err != nil {
				return err
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := writeFile(ctx, o.FS, path.Join(j.tmpDir, "_hetl", "manifests", m.RunID+".json"), runBody, false); err != nil {
		return err
	}
	if err := writeFile(ctx, o.FS, path.Join(j.tmpDir, SuccessFile), wholeBody, false); err != nil {
		return err
	}
	if err := warehouse.ReplaceDir(ctx, o.FS, j.tmpDir, o.Dir); err != nil && !errors.Is(err, warehouse.ErrOldCopyLeft) {
		return fmt.Errorf("publish %s: %w", o.Dir, err)
	}
	return nil
}

// recount sets a manifest's totals from its files.
func recount(m *Manifest) {
	m.Rows, m.Bytes = 0, 0
	nulls := make([]int64, len(m.Columns))
	known := true
	for _, f := range m.Files {
		m.Rows += f.Rows
		m.Bytes += f.Bytes
		if len(f.Nulls) != len(nulls) {
			known = false
			continue
		}
		for i, n := range f.Nulls {
			nulls[i] += n
		}
	}
	for i := range m.Columns {
		m.Columns[i].Nulls = -1 // unknown: a file without per-file counts
		if known {
			m.Columns[i].Nulls = nulls[i]
		}
	}
}
