package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/warehouse"
)

// SuccessFile is the manifest marking a published directory complete.
const SuccessFile = "_SUCCESS"

// tmpPrefix starts the name of an import's temporary directory, a sibling
// of the target; "_" hides it from Hive, Trino and Spark.
const tmpPrefix = "_hetl_tmp_"

// Manifest describes one published import. It is written as JSON to
// <target>/_SUCCESS.
type Manifest struct {
	RunID  string `json:"run_id"`
	Source string `json:"source"`
	Query  string `json:"query,omitempty"`
	Target string `json:"target"`
	Format string `json:"format"`
	Codec  string `json:"codec"`
	// Text is the delimiters of a text directory.
	Text              *TextLayout      `json:"text,omitempty"`
	Mode              string           `json:"mode"`
	Rows              int64            `json:"rows"`
	Bytes             int64            `json:"bytes"`
	SourceBytes       int64            `json:"source_bytes"`
	Files             []ManifestFile   `json:"files"`
	Columns           []ManifestColumn `json:"columns"`
	SchemaFingerprint string           `json:"schema_fingerprint"`
	// Schemas holds every schema a file of the directory was written
	// with, by fingerprint (see schemas.go).
	Schemas     map[string]string `json:"schemas,omitempty"`
	PartitionBy string            `json:"partition_by,omitempty"`
	// ChangedPartitions are the partitions this run wrote files to (for
	// an append, the ones downstream hourly work must re-run).
	ChangedPartitions []string          `json:"changed_partitions,omitempty"`
	Incremental       *IncrementalState `json:"incremental,omitempty"`
	Snapshot          Snapshot          `json:"snapshot"`
	Checksum          Checksum          `json:"checksum"`
	Validated         bool              `json:"validated"`
	ZeroDatesNulled   int64             `json:"zero_dates_nulled"`
	Quarantined       int64             `json:"quarantined_rows"`
	// Retries counts HBase calls retried after transient failures.
	Retries           int64             `json:"retries,omitempty"`
	PII               map[string]string `json:"pii,omitempty"`
	PIIKeyFingerprint string            `json:"pii_key_fingerprint,omitempty"`
	StartedAt         time.Time         `json:"started_at"`
	FinishedAt        time.Time         `json:"finished_at"`
	Seconds           float64           `json:"seconds"`
}

// ManifestFile is one data file, relative to the target.
type ManifestFile struct {
	Path  string `json:"path"`
	Rows  int64  `json:"rows"`
	Bytes int64  `json:"bytes"`
	// Nulls per output column, so totals stay right when partitions are
	// replaced.
	Nulls []int64 `json:"nulls,omitempty"`
	// Schema is the fingerprint of the file's schema in Manifest.Schemas.
	Schema string `json:"schema,omitempty"`
}

// ManifestColumn is one output column.
type ManifestColumn struct {
	Name      string `json:"name"`
	MySQLType string `json:"mysql_type,omitempty"`
	ArrowType string `json:"arrow_type"`
	Nulls     int64  `json:"nulls"`
}

// Checksum is the validation checksum (see checksum.go): Rows and Sum
// over the Columns listed, quarantined rows included.
type Checksum struct {
	Rows    int64    `json:"rows"`
	Sum     uint64   `json:"crc32_sum"`
	Columns []string `json:"columns"`
}

func (j *importJob) manifest(started time.Time, files []fileResult, st chunkStats, snap Snapshot) *Manifest {
	o := j.opts
	m := &Manifest{
		RunID: o.RunID, Source: j.name, Query: o.Query,
		Target: o.targetString(),
		Format: string(o.Format), Codec: string(o.Codec), Mode: string(o.Mode),
		SchemaFingerprint: Fingerprint(j.outSchema), PartitionBy: o.PartitionBy,
		Schemas:  map[string]string{Fingerprint(j.outSchema): j.outSchemaEnc},
		Snapshot: snap, ZeroDatesNulled: st.zeros, Quarantined: st.quarantined,
		StartedAt: started.UTC(), SourceBytes: st.bytes,
	}
	if m.Mode == "" {
		m.Mode = "create"
	}
	m.Incremental = j.incr
	if o.Format == format.Text {
		m.Text = NewTextLayout(o.Text)
	}
	if o.PartitionBy != "" {
		seen := map[string]bool{}
		for _, f := range files {
			p := path.Dir(strings.TrimPrefix(f.Path, j.tmpDir+"/"))
			if p != "." && !seen[p] {
				seen[p] = true
				m.ChangedPartitions = append(m.ChangedPartitions, p)
			}
		}
		sort.Strings(m.ChangedPartitions)
	}
	nulls := make([]int64, j.outSchema.NumFields())
	for _, f := range files {
		rel := strings.TrimPrefix(f.Path, j.tmpDir+"/")
		m.Files = append(m.Files, ManifestFile{Path: rel, Rows: f.Rows, Bytes: f.Bytes, Nulls: f.Nulls, Schema: m.SchemaFingerprint})
		m.Rows += f.Rows
		m.Bytes += f.Bytes
		for i, n := range f.Nulls {
			nulls[i] += n
		}
	}
	for i, f := range j.outSchema.Fields() {
		t, _ := f.Metadata.GetValue("mysql.type")
		m.Columns = append(m.Columns, ManifestColumn{Name: f.Name, MySQLType: t, ArrowType: f.Type.String(), Nulls: nulls[i]})
	}
	if o.PII != nil {
		m.PII = o.PII.Actions
		m.PIIKeyFingerprint = o.PII.KeyFingerprint
	}
	for _, i := range j.checksumCols {
		m.Checksum.Columns = append(m.Checksum.Columns, j.maps[i].Column.Name)
	}
	return m
}

// publish makes the import visible in one step: the manifest goes into
// the temporary directory, which then replaces (or becomes) the target.
// An append moves each new file into the target (each appears whole) and
// then rewrites the manifest.
func (j *importJob) publish(ctx context.Context, m *Manifest) error {
	o := j.opts
	if o.Reimport != nil {
		return j.publishPartitions(ctx, m)
	}
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if j.merge {
		return j.publishMerge(ctx, m)
	}
	if o.Mode == TargetAppend {
		return j.publishAppend(ctx, m)
	}
	if err := writeFile(ctx, o.FS, path.Join(j.tmpDir, SuccessFile), body, false); err != nil {
		return err
	}
	if o.Mode == TargetMustNotExist {
		// Rename never replaces: a target created meanwhile is an error.
		if err := o.FS.Rename(ctx, j.tmpDir, o.Dir); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("target %s appeared during the import; nothing was published: %w", o.Dir, err)
			}
			return fmt.Errorf("publish %s: %w", o.Dir, err)
		}
		return nil
	}
	if err := warehouse.ReplaceDir(ctx, o.FS, j.tmpDir, o.Dir); err != nil {
		if errors.Is(err, warehouse.ErrOldCopyLeft) {
			o.Log.Warn("published, but the previous version could not be removed", "err", err)
			return nil
		}
		return fmt.Errorf("publish %s: %w", o.Dir, err)
	}
	return nil
}

// publishAppend moves the run's files into the existing target and
// rewrites its manifest; see pendingRecord for a crash in between.
func (j *importJob) publishAppend(ctx context.Context, m *Manifest) error {
	o := j.opts
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	// The files move in one by one; an intent record first says which,
	// so a run killed midway is rolled back by the next (see
	// recoverAppends) instead of leaving rows the manifest does not
	// count, which a rerun would then import a second time.
	intent, err := j.appendIntent(ctx, m)
	if err != nil {
		return err
	}
	if err := writeFile(ctx, o.FS, intentPath(o.Dir, m.RunID), intent, false); err != nil {
		return err
	}
	if err := j.appendFiles(ctx, m); err != nil {
		return err
	}
	if err := writeFile(ctx, o.FS, path.Join(o.Dir, "_hetl", "manifests", m.RunID+".json"), body, false); err != nil {
		return err
	}
	// _SUCCESS describes the whole directory: earlier runs' files
	// plus this run's.
	whole := *m
	if prev, err := ReadManifest(ctx, o.FS, o.Dir); err == nil {
		whole.Files = append(append([]ManifestFile(nil), prev.Files...), m.Files...)
		whole.Rows += prev.Rows
		whole.Bytes += prev.Bytes
		whole.Quarantined += prev.Quarantined
		whole.Checksum.Rows += prev.Checksum.Rows
		whole.Checksum.Sum += prev.Checksum.Sum
		whole.Validated = m.Validated && prev.Validated
		whole.Columns = mergeColumns(prev.Columns, prev.Rows, m.Columns)
		whole.keepSchemas(prev)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read the manifest being appended to: %w", err)
	}
	all, err := json.MarshalIndent(&whole, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFile(ctx, o.FS, path.Join(o.Dir, SuccessFile), all, true); err != nil {
		return err
	}
	// Published: the manifest names this run. The intent is no longer
	// needed (a leftover one is recognised as done by the next run).
	if err := o.FS.Remove(ctx, intentPath(o.Dir, m.RunID)); err != nil {
		o.Log.Warn("could not remove the append intent record", "err", err)
	}
	return o.FS.RemoveAll(ctx, j.tmpDir)
}

func (j *importJob) appendFiles(ctx context.Context, m *Manifest) error {
	o := j.opts
	if err := o.FS.MkdirAll(ctx, o.Dir); err != nil {
		return err
	}
	for _, f := range m.Files {
		dst := path.Join(o.Dir, f.Path)
		if err := o.FS.MkdirAll(ctx, path.Dir(dst)); err != nil {
			return err
		}
		if err := o.FS.Rename(ctx, path.Join(j.tmpDir, f.Path), dst); err != nil {
			return fmt.Errorf("append %s: %w", dst, err)
		}
	}
	// Quarantine files, if any.
	q := path.Join(j.tmpDir, "_quarantine")
	if _, err := o.FS.Stat(ctx, q); err == nil {
		ents, err := o.FS.ReadDir(ctx, q)
		if err != nil {
			return err
		}
		if err := o.FS.MkdirAll(ctx, path.Join(o.Dir, "_quarantine")); err != nil {
			return err
		}
		for _, e := range ents {
			if err := o.FS.Rename(ctx, path.Join(q, e.Name()), path.Join(o.Dir, "_quarantine", e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeFile(ctx context.Context, fsys warehouse.FS, name string, body []byte, overwrite bool) error {
	w, err := fsys.Create(ctx, name, warehouse.CreateOptions{Overwrite: overwrite, SizeHint: int64(len(body))})
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if _, err := w.Write(body); err != nil {
		return errors.Join(fmt.Errorf("write %s: %w", name, err), w.Close())
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// sweep removes temporary directories earlier imports of this target
// left behind when they were killed. The caller holds the target's lease.
func (j *importJob) sweep(ctx context.Context, parent, base string) error {
	ents, err := j.opts.FS.ReadDir(ctx, parent)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range ents {
		n := e.Name()
		if strings.HasPrefix(n, tmpPrefix+base+"_") || strings.HasPrefix(n, warehouse.ReplacedPrefix+base+"-") {
			j.opts.Log.Info("removing a stale temporary directory", "dir", path.Join(parent, n))
			if err := j.opts.FS.RemoveAll(ctx, path.Join(parent, n)); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// ReadManifest reads a published directory's manifest.
func ReadManifest(ctx context.Context, fsys warehouse.FS, dir string) (*Manifest, error) {
	f, err := fsys.Open(ctx, path.Join(dir, SuccessFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var m Manifest
	if err := json.NewDecoder(f).Decode(&m); err != nil {
		return nil, fmt.Errorf("read manifest of %s: %w", dir, err)
	}
	return &m, nil
}

// TableCandidates lists the directories at a warehouse's root that can be
// tables, sorted; "_" and "." names (temporary directories, quarantine)
// are left out. A missing root has none.
func TableCandidates(ctx context.Context, fsys warehouse.FS) ([]string, error) {
	ents, err := fsys.ReadDir(ctx, ".")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if n := e.Name(); e.IsDir() && !strings.HasPrefix(n, "_") && !strings.HasPrefix(n, ".") {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}

// PublishedTables lists the tables at a warehouse's root: the
// candidates holding a manifest.
func PublishedTables(ctx context.Context, fsys warehouse.FS) ([]string, error) {
	names, err := TableCandidates(ctx, fsys)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if _, err := fsys.Stat(ctx, path.Join(n, SuccessFile)); err == nil {
			out = append(out, n)
		}
	}
	return out, nil
}

func intentPath(dir, runID string) string {
	return path.Join(dir, "_hetl", "pending", runID+".json")
}

// appendIntent lists the data and quarantine files publish will move.
func (j *importJob) appendIntent(ctx context.Context, m *Manifest) ([]byte, error) {
	rec := pendingRecord{RunID: m.RunID, Kind: "append"}
	for _, f := range m.Files {
		rec.Files = append(rec.Files, f.Path)
	}
	q := path.Join(j.tmpDir, "_quarantine")
	if ents, err := j.opts.FS.ReadDir(ctx, q); err == nil {
		for _, e := range ents {
			rec.Files = append(rec.Files, path.Join("_quarantine", e.Name()))
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return json.Marshal(rec)
}

// recoverPending finishes or undoes publishes to dir that a crash or an
// error interrupted (see pendingRecord). An append that did not get as far
// as the manifest is rolled back: its files are removed, so the manifest,
// the watermark it carries and the directory agree again. A partition
// replacement is finished from its temporary directory. Publishes that
// completed only leave their record, which is removed.
func recoverPending(ctx context.Context, fsys warehouse.FS, dir string, log interface{ Warn(string, ...any) }) error {
	pending := path.Join(dir, "_hetl", "pending")
	ents, err := fsys.ReadDir(ctx, pending)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", pending, err)
	}
	sort.Slice(ents, func(a, b int) bool { return ents[a].Name() < ents[b].Name() })
	for _, e := range ents {
		name := path.Join(pending, e.Name())
		body, err := readFile(ctx, fsys, name)
		var rec pendingRecord
		if err == nil {
			err = json.Unmarshal(body, &rec)
		}
		if err != nil {
			// A record cut short by a crash: nothing was changed yet (the
			// record is complete before the first change).
			log.Warn("removing an unreadable publish record", "file", name, "err", err)
			if err := fsys.Remove(ctx, name); err != nil {
				return err
			}
			continue
		}
		current, err := ReadManifest(ctx, fsys, dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		done := current != nil && current.RunID == rec.RunID
		switch {
		case rec.Kind == "replace-partitions" && !done:
			log.Warn("finishing an interrupted partition replacement", "run", rec.RunID, "partitions", rec.Partitions)
			var whole Manifest
			if err := json.Unmarshal(rec.Manifest, &whole); err != nil {
				return fmt.Errorf("publish record %s: %w", name, err)
			}
			if err := finishPartitionReplace(ctx, fsys, dir, rec, &whole); err != nil {
				return err
			}
			continue
		case rec.Kind == "replace-partitions":
			if err := fsys.RemoveAll(ctx, rec.TmpDir); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		case !done:
			log.Warn("rolling back an interrupted append", "run", rec.RunID, "files", len(rec.Files))
			for _, p := range rec.Files {
				if err := fsys.Remove(ctx, path.Join(dir, p)); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return fmt.Errorf("roll back append %s: %w", rec.RunID, err)
				}
			}
			if err := fsys.Remove(ctx, path.Join(dir, "_hetl", "manifests", rec.RunID+".json")); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
		if err := fsys.Remove(ctx, name); err != nil {
			return err
		}
	}
	return nil
}
