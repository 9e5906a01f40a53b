package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/hetl/hetl/ingest/source"
	"github.com/hetl/hetl/warehouse"
)

// Reimport re-reads from MySQL the rows of some partitions of a table
// imported with --partition-by and replaces exactly those partitions.
type Reimport struct {
	// Partitions are Hive-style partition paths, dt=YYYY-MM-DD/hr=HH (or
	// dt=YYYY-MM-DD for :day), as the target has them.
	Partitions []string
}

var (
	hourPartRE = regexp.MustCompile(`^dt=(\d{4}-\d{2}-\d{2})/hr=(\d{2})$`)
	dayPartRE  = regexp.MustCompile(`^dt=(\d{4}-\d{2}-\d{2})$`)
)

// PartitionRange is the UTC time range a partition holds.
func PartitionRange(p string, g Granularity) (from, to time.Time, err error) {
	switch g {
	case ByHour:
		m := hourPartRE.FindStringSubmatch(p)
		if m == nil {
			return from, to, fmt.Errorf("partition %q: want dt=YYYY-MM-DD/hr=HH", p)
		}
		from, err = time.Parse("2006-01-02 15", m[1]+" "+m[2])
		return from, from.Add(time.Hour), err
	case ByDay:
		m := dayPartRE.FindStringSubmatch(p)
		if m == nil {
			return from, to, fmt.Errorf("partition %q: want dt=YYYY-MM-DD", p)
		}
		from, err = time.Parse("2006-01-02", m[1])
		return from, from.AddDate(0, 0, 1), err
	}
	return from, to, fmt.Errorf("granularity %q", g)
}

// PartitionsBetween lists the partitions covering [from, to).
func PartitionsBetween(from, to time.Time, g Granularity) []string {
	var out []string
	step, layout := time.Hour, "dt=2006-01-02/hr=15"
	start := from.UTC().Truncate(time.Hour)
	if g == ByDay {
		step, layout = 24*time.Hour, "dt=2006-01-02"
		start = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	}
	for t := start; t.Before(to); t = t.Add(step) {
		out = append(out, t.Format(layout))
	}
	return out
}

// reimportWhere selects the source rows of the partitions to replace and,
// for an incremental target, only rows its watermark already covers: rows
// past it belong to the next incremental run, which would import them a
// second time.
func (j *importJob) reimportWhere(prev *Manifest) (string, error) {
	o := j.opts
	if j.table == nil {
		return "", errors.New("reimport needs an import of a --table")
	}
	if o.PartitionBy == "" || prev.PartitionBy == "" {
		return "", fmt.Errorf("reimport replaces partitions: the target %s was not imported with --partition-by", o.Dir)
	}
	if !strings.EqualFold(prev.PartitionBy, o.PartitionBy) {
		return "", fmt.Errorf("the target is partitioned by %s, not %s", prev.PartitionBy, o.PartitionBy)
	}
	col := source.MustQuote(j.maps[j.partCol].Column.Name)
	var ranges []string
	for _, p := range o.Reimport.Partitions {
		from, to, err := PartitionRange(p, o.PartitionGranularity)
		if err != nil {
			return "", err
		}
		const layout = "2006-01-02 15:04:05"
		ranges = append(ranges, fmt.Sprintf("(%s >= '%s' AND %s < '%s')", col, from.Format(layout), col, to.Format(layout)))
	}
	if len(ranges) == 0 {
		return "", errors.New("reimport: no partitions given")
	}
	where := "(" + strings.Join(ranges, " OR ") + ")"
	if inc := prev.Incremental; inc != nil && inc.NextValue != "" {
		c, ok := j.table.Column(inc.CheckColumn)
		if !ok {
			return "", fmt.Errorf("the target's check column %s is gone from %s", inc.CheckColumn, j.name)
		}
		kind := checkTime
		if !strings.Contains("date datetime timestamp", c.DataType) {
			kind = checkNumber
		}
		if err := checkLiteral(inc.NextValue, kind); err != nil {
			return "", fmt.Errorf("the target's last value: %w", err)
		}
		lit := inc.NextValue
		if kind == checkTime {
			lit = "'" + lit + "'"
		}
		op := " <= "
		if inc.Mode == IncrementalLastModified {
			op = " < "
		}
		where += " AND " + source.MustQuote(c.Name) + op + lit
	}
	return where, nil
}

// pendingRecord is written before a publish that changes an existing
// target in more than one step, so the next run can finish or undo it.
type pendingRecord struct {
	RunID string `json:"run_id"`
	// Kind is "append" (Files moved in one by one; undone if the manifest
	// was not written) or "replace-partitions" (Partitions swapped one by
	// one from TmpDir; finished by the next run, which then writes
	// Manifest).
	Kind       string          `json:"kind"`
	Files      []string        `json:"files,omitempty"`
	TmpDir     string          `json:"tmp_dir,omitempty"`
	Partitions []string        `json:"partitions,omitempty"`
	Manifest   json.RawMessage `json:"manifest,omitempty"`
}

// publishPartitions replaces the reimported partitions of the target one
// by one (each atomically), then the manifest. m stays the run's own
// manifest (the rows it read); _SUCCESS describes the whole table. A crash in between is
// finished by the next run of this target (recoverPending), which is why
// the temporary directory is kept once the record is written.
func (j *importJob) publishPartitions(ctx context.Context, m *Manifest) error {
	o := j.opts
	prev, err := ReadManifest(ctx, o.FS, o.Dir)
	if err != nil {
		return fmt.Errorf("read the manifest of %s: %w", o.Dir, err)
	}
	replaced := map[string]bool{}
	for _, p := range o.Reimport.Partitions {
		replaced[p] = true
	}
	for _, f := range m.Files {
		if !replaced[path.Dir(f.Path)] {
			return fmt.Errorf("reimport read a row of partition %s, which it was not asked to replace; nothing was published", path.Dir(f.Path))
		}
	}
	whole := *prev
	whole.RunID, whole.Mode = m.RunID, "replace-partitions"
	whole.StartedAt, whole.FinishedAt, whole.Seconds = m.StartedAt, m.FinishedAt, m.Seconds
	whole.Snapshot = m.Snapshot
	whole.ChangedPartitions = append([]string(nil), o.Reimport.Partitions...)
	sort.Strings(whole.ChangedPartitions)
	whole.Files = nil
	for _, f := range prev.Files {
		if !replaced[path.Dir(f.Path)] {
			whole.Files = append(whole.Files, f)
		}
	}
	whole.Files = append(whole.Files, m.Files...)
	sort.Slice(whole.Files, func(a, b int) bool { return whole.Files[a].Path < whole.Files[b].Path })
	whole.keepSchemas(m)
	recount(&whole)
	// The checksum covered the replaced rows too; only the run's own
	// manifest (under _hetl/manifests) keeps a validated checksum.
	whole.Checksum, whole.Validated = Checksum{Columns: m.Checksum.Columns}, false
	wholeBody, err := json.MarshalIndent(&whole, "", "  ")
	if err != nil {
		return err
	}
	rec, err := json.Marshal(pendingRecord{RunID: m.RunID, Kind: "replace-partitions", TmpDir: j.tmpDir, Partitions: whole.ChangedPartitions, Manifest: wholeBody})
	if err != nil {
		return err
	}
	if err := writeFile(ctx, o.FS, intentPath(o.Dir, m.RunID), rec, false); err != nil {
		return err
	}
	j.keepTmp = true
	m.Mode, m.ChangedPartitions = "replace-partitions", whole.ChangedPartitions
	runBody, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFile(ctx, o.FS, path.Join(j.tmpDir, "_hetl_run.json"), runBody, false); err != nil {
		return err
	}
	return finishPartitionReplace(ctx, o.FS, o.Dir, pendingRecord{RunID: m.RunID, TmpDir: j.tmpDir, Partitions: whole.ChangedPartitions, Manifest: wholeBody}, &whole)
}

// finishPartitionReplace does (or, after a crash, finishes) a partition
// replacement: each partition still in the temporary directory replaces
// the target's; a partition with no rows now is removed; then the run's
// manifest, the target's manifest, the record and the temporary
// directory. Every step can be repeated.
func finishPartitionReplace(ctx context.Context, fsys warehouse.FS, dir string, rec pendingRecord, whole *Manifest) error {
	hasFiles := map[string]bool{}
	for _, f := range whole.Files {
		hasFiles[path.Dir(f.Path)] = true
	}
	for _, p := range rec.Partitions {
		src, dst := path.Join(rec.TmpDir, p), path.Join(dir, p)
		if _, err := fsys.Stat(ctx, src); err == nil {
			if err := fsys.MkdirAll(ctx, path.Dir(dst)); err != nil {
				return err
			}
			if err := warehouse.ReplaceDir(ctx, fsys, src, dst); err != nil && !errors.Is(err, warehouse.ErrOldCopyLeft) {
				return fmt.Errorf("replace partition %s: %w", p, err)
			}
			continue
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if !hasFiles[p] {
			// No source rows in this partition any more.
			if err := fsys.RemoveAll(ctx, dst); err != nil {
				return fmt.Errorf("empty partition %s: %w", p, err)
			}
		}
	}
	if body, err := readFile(ctx, fsys, path.Join(rec.TmpDir, "_hetl_run.json")); err == nil {
		if err := writeFile(ctx, fsys, path.Join(dir, "_hetl", "manifests", rec.RunID+".json"), body, true); err != nil {
			return err
		}
	}
	if err := writeFile(ctx, fsys, path.Join(dir, SuccessFile), rec.Manifest, true); err != nil {
		return err
	}
	if err := fsys.Remove(ctx, intentPath(dir, rec.RunID)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return fsys.RemoveAll(ctx, rec.TmpDir)
}

func readFile(ctx context.Context, fsys warehouse.FS, name string) ([]byte, error) {
	f, err := fsys.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, f.Size())
	_, err = f.ReadAt(b, 0)
	return b, err
}

// PartitionRows is one partition of a reimport plan.
type PartitionRows struct {
	Partition string `json:"partition"`
	// Now is the rows the target's manifest lists in it; WouldHave the
	// source rows a reimport would write.
	Now, WouldHave int64
}

// PlanReimport says, for each partition of opts.Reimport, how many rows the
// target has and how many a reimport would write. It reads no rows.
func PlanReimport(ctx context.Context, opts Options) ([]PartitionRows, error) {
	opts.setDefaults()
	if opts.Reimport == nil {
		return nil, errors.New("PlanReimport: no partitions")
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	db, err := source.Open(ctx, opts.Source)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	j := &importJob{opts: &opts, db: db, seqs: map[string]int{}}
	if err := j.plan(ctx); err != nil {
		return nil, err
	}
	prev, err := ReadManifest(ctx, opts.FS, opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("reimport: read the manifest of %s: %w", opts.Dir, err)
	}
	cond, err := j.reimportWhere(prev)
	if err != nil {
		return nil, err
	}
	if j.where != "" {
		cond = "(" + j.where + ") AND " + cond
	}
	counts := map[string]*PartitionRows{}
	var out []PartitionRows
	for _, p := range opts.Reimport.Partitions {
		if counts[p] == nil {
			counts[p] = &PartitionRows{Partition: p}
		}
	}
	for _, f := range prev.Files {
		if c := counts[path.Dir(f.Path)]; c != nil {
			c.Now += f.Rows
		}
	}
	layout := "dt=%Y-%m-%d/hr=%H"
	if opts.PartitionGranularity == ByDay {
		layout = "dt=%Y-%m-%d"
	}
	col := source.MustQuote(j.maps[j.partCol].Column.Name)
	q := "SELECT DATE_FORMAT(" + col + ", '" + layout + "') AS p, COUNT(*) FROM " + j.from + " WHERE " + cond + " GROUP BY p"
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("count the source rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		var n int64
		if err := rows.Scan(&p, &n); err != nil {
			return nil, err
		}
		if c := counts[p]; c != nil {
			c.WouldHave = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, p := range opts.Reimport.Partitions {
		if c := counts[p]; c != nil {
			out = append(out, *c)
			delete(counts, p)
		}
	}
	return out, nil
}
