package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/ingest/source"
	"github.com/hetl/hetl/ingest/split"
)

// Result is what an import did; it is also the _SUCCESS manifest.
type Result = Manifest

// TypePlan is one line of the --dry-run type plan.
type TypePlan struct {
	Column    string `json:"column"`
	MySQLType string `json:"mysql_type"`
	ArrowType string `json:"arrow_type"`
	Nullable  bool   `json:"nullable"`
	Note      string `json:"note,omitempty"`
}

// PlanReport is what --dry-run prints.
type PlanReport struct {
	Source        string     `json:"source"`
	Target        string     `json:"target"`
	Types         []TypePlan `json:"types"`
	SplitKey      []string   `json:"split_key,omitempty"`
	Readers       int        `json:"readers"`
	ChunkRows     int64      `json:"chunk_rows"`
	EstimatedRows int64      `json:"estimated_rows"`
	Chunks        []string   `json:"chunks"`
	Warnings      []string   `json:"warnings,omitempty"`
	// Incremental is the range an incremental run would read.
	Incremental *IncrementalState `json:"incremental,omitempty"`
}

// Plan reads metadata and plans types and splits without reading rows
// (the split walk reads key values only).
func Plan(ctx context.Context, opts Options) (*PlanReport, error) {
	opts.setDefaults()
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
	if opts.Incremental != nil {
		exists, err := j.exists(ctx, opts.Dir)
		if err != nil {
			return nil, fmt.Errorf("check target %s: %w", opts.Dir, err)
		}
		if err := j.resolveIncremental(ctx, exists); err != nil {
			return nil, err
		}
	}
	rep := &PlanReport{Incremental: j.incr, Source: j.name, Target: opts.targetString(), SplitKey: j.key.Names()}
	for i, m := range j.maps {
		f := j.schema.Field(i)
		rep.Types = append(rep.Types, TypePlan{Column: m.Column.Name, MySQLType: m.Column.ColumnType, ArrowType: f.Type.String(), Nullable: f.Nullable, Note: m.Note})
	}
	est, chunkRows, readers, warn := j.sizing(ctx)
	rep.EstimatedRows, rep.ChunkRows, rep.Readers, rep.Warnings = est, chunkRows, readers, warn
	chunks := make(chan split.Chunk, 16)
	errc := make(chan error, 1)
	go func() { errc <- j.chunks(ctx, chunkRows, readers, chunks) }()
	for c := range chunks {
		rep.Chunks = append(rep.Chunks, c.Desc)
	}
	if err := <-errc; err != nil {
		return nil, err
	}
	return rep, nil
}

// sizing decides readers and rows per chunk from the row estimate.
func (j *importJob) sizing(ctx context.Context) (est, chunkRows int64, readers int, warnings []string) {
	readers = j.opts.Mappers
	if len(j.key.Columns) == 0 && j.opts.BoundaryQuery == "" {
		if readers > 1 {
			warnings = append(warnings, fmt.Sprintf("%s has no primary key or unique NOT NULL key and no --split-by was given: reading with one reader", j.name))
		}
		readers = 1
	}
	if j.table != nil {
		est = j.table.EstimatedRows
		// InnoDB's estimate can be far off or zero for young tables;
		// an exact count is cheap when the estimate is small.
		if est < 1_000_000 {
			q := "SELECT COUNT(*) FROM " + j.from
			if j.where != "" {
				q += " WHERE " + j.where
			}
			var n int64
			if err := j.db.QueryRowContext(ctx, q).Scan(&n); err == nil {
				est = n
			}
		}
	}
	chunkRows = j.opts.ChunkRows
	if chunkRows <= 0 {
		chunkRows = max(est/int64(readers*4), 10_000)
	}
	return est, chunkRows, readers, warnings
}

// chunks produces the chunk queue: one chunk with one reader (Sqoop's -m 1
// reads the table in one query), else the boundary walk or, with
// --boundary-query, even ranges between its MIN and MAX.
func (j *importJob) chunks(ctx context.Context, chunkRows int64, readers int, out chan<- split.Chunk) error {
	if readers == 1 && j.opts.ChunkRows <= 0 {
		out <- split.Whole()
		close(out)
		return nil
	}
	if j.opts.BoundaryQuery != "" {
		return split.Even(ctx, j.db, j.key, j.opts.BoundaryQuery, readers*4, out)
	}
	return split.Walk(ctx, j.db, j.key, split.Options{From: j.from, Where: j.where, ChunkRows: chunkRows}, out)
}

// Run imports. Nothing is visible at the target until every chunk is
// written (and validated, with --validate); then the directory is
// published in one step with its _SUCCESS manifest.
func Run(ctx context.Context, opts Options) (*Manifest, error) {
	opts.setDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	started := time.Now()
	if opts.RunID == "" {
		opts.RunID = NewRunID(started)
	}
	log := opts.Log
	db, err := source.Open(ctx, opts.Source)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(opts.Mappers + 3)
	if !opts.Embedded && !source.Identify(ctx, db).HasSnapshots() {
		// Pointed at the embedded demo server (or Dolt) without saying so:
		// promise only what it can give.
		opts.Embedded = true
	}
	j := &importJob{opts: &opts, db: db, seqs: map[string]int{}}
	if err := j.plan(ctx); err != nil {
		return nil, err
	}
	log = log.With("table", j.name, "run", opts.RunID)
	if opts.HBase != nil {
		return j.runHBase(ctx, started)
	}

	// The target: Sqoop's rule, checked before reading anything.
	exists, err := j.exists(ctx, opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("check target %s: %w", opts.Dir, err)
	}
	if opts.Reimport != nil {
		if !exists {
			return nil, fmt.Errorf("reimport: target %s does not exist; import it first", opts.Dir)
		}
		opts.Mode = TargetAppend // the checks below: same schema and format
	}
	if inc := opts.Incremental; inc != nil {
		switch {
		case opts.Mode == TargetReplace:
			return nil, errors.New("--incremental with --delete-target-dir would drop the rows of earlier runs; drop one of them")
		case exists && len(opts.MergeKey) > 0:
			opts.Mode, j.merge = TargetAppend, true // the checks below: same schema and format
		case exists && opts.Mode == TargetMustNotExist && inc.Mode == IncrementalAppend:
			opts.Mode = TargetAppend // Sqoop's incremental append adds to the target
		case exists && opts.Mode == TargetMustNotExist:
			return nil, fmt.Errorf("target %s already exists: --incremental lastmodified either merges rows updated since the last run (--merge-key KEY) or adds them as new versions (--append)", opts.Dir)
		}
	}
	if exists && opts.Mode == TargetMustNotExist {
		return nil, fmt.Errorf("target %s already exists: use --delete-target-dir to replace it or --append to add to it", opts.Dir)
	}
	if exists && opts.Mode == TargetAppend {
		if err := recoverPending(ctx, opts.FS, opts.Dir, log); err != nil {
			return nil, fmt.Errorf("recover an interrupted publish to %s: %w", opts.Dir, err)
		}
		prev, err := ReadManifest(ctx, opts.FS, opts.Dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read the manifest of %s: %w", opts.Dir, err)
		}
		if prev != nil && prev.SchemaFingerprint != Fingerprint(j.outSchema) {
			d := j.diffSchema(prev)
			switch {
			case d.additiveOnly() && opts.Reimport != nil && len(d.added) > 0:
				return nil, fmt.Errorf("reimport into %s: the table has new columns %v since the last import; run the import (hetl job exec) first so the target takes them", opts.Dir, d.added)
			case d.additiveOnly():
				if len(d.added) > 0 {
					log.Info("the table has new nullable columns: the target's schema evolves, files already written read them as NULL", "columns", d.added)
				}
			case opts.AllowSchemaChange == SchemaChangeReplace && opts.Reimport == nil:
				log.Warn("the table's schema changed: re-importing it whole and replacing the target", "changes", d.String())
				opts.Mode, j.schemaReset = TargetReplace, true
			default:
				return nil, fmt.Errorf("cannot add to %s: the table's schema changed since it was written: %s; re-import it whole with --allow-schema-change replace (or --delete-target-dir)", opts.Dir, d)
			}
		}
		if prev != nil && prev.Format != string(opts.Format) {
			return nil, fmt.Errorf("--append to %s: it holds %s files, not %s", opts.Dir, prev.Format, opts.Format)
		}
		if prev != nil && prev.Text != nil && opts.Format == format.Text && !prev.Text.Equal(NewTextLayout(opts.Text)) {
			return nil, fmt.Errorf("--append to %s: its text files have other delimiters or NULL tokens (%+v); one directory cannot mix them", opts.Dir, *prev.Text)
		}
	}
	if opts.Reimport != nil {
		prev, err := ReadManifest(ctx, opts.FS, opts.Dir)
		if err != nil {
			return nil, fmt.Errorf("reimport: read the manifest of %s: %w", opts.Dir, err)
		}
		cond, err := j.reimportWhere(prev)
		if err != nil {
			return nil, err
		}
		if j.where != "" {
			j.where = "(" + j.where + ") AND " + cond
		} else {
			j.where = cond
		}
		log.Info("reimport", "partitions", opts.Reimport.Partitions)
	}
	if opts.Incremental != nil {
		if err := j.resolveIncremental(ctx, exists && !j.schemaReset); err != nil {
			return nil, err
		}
		log.Info("incremental range", "check_column", j.incr.CheckColumn, "after", j.incr.LastValue, "last_value_from", j.incr.LastValueFrom, "up_to", j.incr.NextValue)
	}
	parent, base := path.Dir(strings.TrimSuffix(opts.Dir, "/")), path.Base(opts.Dir)
	if err := opts.FS.MkdirAll(ctx, parent); err != nil {
		return nil, fmt.Errorf("create %s: %w", parent, err)
	}
	if err := j.sweep(ctx, parent, base); err != nil {
		log.Warn("could not sweep stale temporary directories", "err", err)
	}
	j.tmpDir = path.Join(parent, tmpPrefix+base+"_"+opts.RunID)
	if err := opts.FS.MkdirAll(ctx, j.tmpDir); err != nil {
		return nil, fmt.Errorf("create %s: %w", j.tmpDir, err)
	}
	published := false
	defer func() {
		if !published && !j.keepTmp {
			// Nothing half-written stays behind; the target is untouched.
			if err := opts.FS.RemoveAll(context.WithoutCancel(ctx), j.tmpDir); err != nil {
				log.Warn("could not remove temporary directory", "dir", j.tmpDir, "err", err)
			}
		}
	}()

	rr, err := j.readAll(ctx, log)
	if err != nil {
		return nil, err
	}
	readers, files, stats, snap := rr.readers, rr.files, rr.stats, rr.snap
	defer func() {
		for _, r := range readers {
			_ = r.close()
		}
	}()

	m := j.manifest(started, files, stats, snap)
	if opts.Validate {
		if err := j.validate(ctx, readers[0], m, stats); err != nil {
			return nil, err
		}
		m.Validated = true
		log.Info("validated", "rows", m.Checksum.Rows, "crc32_sum", m.Checksum.Sum)
	}
	for _, r := range readers {
		_ = r.close()
	}
	m.FinishedAt = time.Now().UTC()
	m.Seconds = m.FinishedAt.Sub(started).Seconds()
	if opts.BeforePublish != nil {
		if err := opts.BeforePublish(ctx); err != nil {
			return nil, fmt.Errorf("not published: %w", err)
		}
	}
	if err := j.publish(ctx, m); err != nil {
		return nil, err
	}
	published = true
	return m, nil
}

// readResult is what reading every chunk produced.
type readResult struct {
	files []fileResult
	stats chunkStats
	snap  Snapshot
	// readers are still open in their snapshot (validation reads there);
	// the caller closes them.
	readers []*reader
}

// readAll plans the chunks, opens the readers in one snapshot and reads
// every chunk through its sink.
func (j *importJob) readAll(ctx context.Context, log *slog.Logger) (res readResult, err error) {
	opts := j.opts
	est, chunkRows, readersN, warnings := j.sizing(ctx)
	for _, w := range warnings {
		log.Warn(w)
	}
	engine := ""
	if j.table != nil {
		engine = j.table.Engine
	}
	readers, snap, err := openReaders(ctx, j.db, readersN, j.table, engine, opts.Embedded, opts.Query != "")
	if err != nil {
		return res, err
	}
	defer func() {
		if err != nil {
			for _, r := range readers {
				_ = r.close()
			}
		}
	}()
	if snap.Consistent {
		log.Info("readers share one consistent snapshot", "method", snap.Method, "readers", len(readers), "binlog_file", snap.BinlogFile, "binlog_pos", snap.BinlogPos)
	} else {
		log.Warn("readers do not share one provable snapshot", "method", snap.Method, "why", snap.Why)
	}
	if opts.Progress != nil {
		opts.Progress.Start(j.name, est)
		defer opts.Progress.Done()
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	queue := make(chan split.Chunk, readersN*2)
	var walkErr error
	var walkWG sync.WaitGroup
	walkWG.Add(1)
	go func() {
		defer walkWG.Done()
		if err := j.chunks(ctx, chunkRows, readersN, queue); err != nil {
			walkErr = err
			cancel(err)
		}
	}()

	var (
		mu       sync.Mutex
		files    []fileResult
		stats    chunkStats
		rereads  []int
		firstErr error
		wg       sync.WaitGroup
	)
	for i, r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range queue {
				res, reread, err := j.runChunk(ctx, r, c, i)
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel(err)
					// Drain so the walk can finish.
					for range queue {
					}
					return
				}
				files = append(files, res.files...)
				stats.add(res)
				if reread {
					rereads = append(rereads, c.ID)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	walkWG.Wait()
	if firstErr == nil && walkErr != nil {
		firstErr = walkErr
	}
	if firstErr != nil {
		return res, firstErr
	}
	if err := context.Cause(ctx); err != nil {
		return res, err
	}
	sort.Ints(rereads)
	snap.RereadChunks = rereads
	if len(rereads) > 0 {
		snap.Consistent = false
		snap.Why = fmt.Sprintf("chunks %v were re-read on new connections after dropped ones", rereads)
	}
	sort.Slice(files, func(a, b int) bool { return files[a].Path < files[b].Path })
	return readResult{files: files, stats: stats, snap: snap, readers: readers}, nil
}

// chunkStats sums what chunks reported.
type chunkStats struct {
	rows, bytes, zeros, quarantined int64
	quarRows                        int64
	quarSum                         uint64
}

func (s *chunkStats) add(r chunkResult) {
	s.rows += r.rows
	s.bytes += r.bytes
	s.zeros += r.zeros
	s.quarantined += r.quarantined
	s.quarRows += r.quarHash.Rows
	s.quarSum += r.quarHash.Sum
}

type chunkResult struct {
	files                           []fileResult
	rows, bytes, zeros, quarantined int64
	quarHash                        rowHasher
}

// runChunk reads a chunk, re-reading it on a new connection (bounded) when
// the connection breaks; a failed attempt's files are removed first, so
// no row is written twice.
func (j *importJob) runChunk(ctx context.Context, r *reader, c split.Chunk, readerID int) (chunkResult, bool, error) {
	reread := false
	for attempt := 0; ; attempt++ {
		sink := newChunkSink(j, c.ID, attempt)
		err := j.readChunk(ctx, r, c, sink)
		if err == nil {
			res := chunkResult{files: sink.files, rows: sink.rows, bytes: sink.bytes, zeros: sink.zeros, quarHash: sink.hasher}
			if sink.quar != nil {
				res.quarantined = sink.quar.rows
			}
			return res, reread, nil
		}
		if aerr := sink.abort(context.WithoutCancel(ctx)); aerr != nil {
			return chunkResult{}, false, errors.Join(err, fmt.Errorf("remove files of failed chunk %d: %w", c.ID, aerr))
		}
		if !retryable(err) || attempt >= j.opts.MaxRetries || ctx.Err() != nil {
			return chunkResult{}, false, err
		}
		j.opts.Log.Warn("connection lost mid-chunk; re-reading the chunk on a new connection",
			"chunk", c.ID, "range", c.Desc, "reader", readerID, "attempt", attempt+1, "err", err)
		if j.opts.Progress != nil {
			j.opts.Progress.Add(-sink.rows, -sink.bytes)
		}
		time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
		if err := j.reopen(ctx, r); err != nil {
			return chunkResult{}, false, fmt.Errorf("reconnect after a dropped connection: %w", err)
		}
		reread = true
	}
}

var _ = sql.ErrNoRows
