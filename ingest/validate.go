package ingest

import (
	"context"
	"fmt"
	"io"
	"math/big"
	"path"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/ingest/source"
	"github.com/hetl/hetl/warehouse"
)

// ErrValidation is returned (wrapped) when what was written differs from
// what MySQL holds.
var ErrValidation = fmt.Errorf("validation failed")

// validate compares the count and checksum MySQL computes over the
// imported rows (inside reader r's snapshot) with the same computed from
// the files as written, read back from the warehouse.
func (j *importJob) validate(ctx context.Context, r *reader, m *Manifest, st chunkStats) error {
	if j.opts.Format != format.Parquet {
		return fmt.Errorf("--validate reads the files back and supports Parquet output; %s output is not validated (drop --validate or use --as-parquetfile)", j.opts.Format)
	}
	cols := make([]source.Column, len(j.checksumCols))
	for i, c := range j.checksumCols {
		cols[i] = j.maps[c].Column
	}
	var q string
	if j.opts.Query != "" {
		q = checksumSQL(cols, j.opts.Policies.ZeroDates, j.from, "")
	} else {
		q = checksumSQL(cols, j.opts.Policies.ZeroDates, j.from, j.where)
	}
	var wantRows int64
	var sumText string
	if err := r.conn.QueryRowContext(ctx, q).Scan(&wantRows, &sumText); err != nil {
		return fmt.Errorf("validate: checksum in MySQL: %w", err)
	}
	want, ok := new(big.Int).SetString(strings.TrimSpace(sumText), 10)
	if !ok {
		return fmt.Errorf("validate: MySQL returned checksum %q", sumText)
	}

	got := rowHasher{Rows: st.quarRows, Sum: st.quarSum}
	for _, f := range m.Files {
		if err := j.hashParquet(ctx, path.Join(j.tmpDir, f.Path), &got); err != nil {
			return fmt.Errorf("validate: read back %s: %w", f.Path, err)
		}
	}
	m.Checksum.Rows, m.Checksum.Sum = got.Rows, got.Sum
	if got.Rows != wantRows || want.Cmp(new(big.Int).SetUint64(got.Sum)) != 0 {
		which := ""
		if got.Rows == wantRows && st.quarRows == 0 {
			if cols, err := j.differingColumns(ctx, r, m, cols); err == nil && len(cols) > 0 {
				which = "; the columns that differ: " + strings.Join(cols, ", ")
			}
		}
		return fmt.Errorf("%w: MySQL has %d rows with checksum %s; the files hold %d rows with checksum %d%s; nothing was published",
			ErrValidation, wantRows, want, got.Rows, got.Sum, which)
	}
	return nil
}

// differingColumns checksums each column alone on both sides, to name the
// ones that differ.
func (j *importJob) differingColumns(ctx context.Context, r *reader, m *Manifest, cols []source.Column) ([]string, error) {
	var out []string
	for i, c := range cols {
		q := checksumSQL([]source.Column{c}, j.opts.Policies.ZeroDates, j.from, j.where)
		if j.opts.Query != "" {
			q = checksumSQL([]source.Column{c}, j.opts.Policies.ZeroDates, j.from, "")
		}
		var n int64
		var sum string
		if err := r.conn.QueryRowContext(ctx, q).Scan(&n, &sum); err != nil {
			return nil, err
		}
		one := &importJob{opts: j.opts, maps: j.maps, checksumCols: []int{j.checksumCols[i]}, tmpDir: j.tmpDir}
		var h rowHasher
		for _, f := range m.Files {
			if err := one.hashParquet(ctx, path.Join(j.tmpDir, f.Path), &h); err != nil {
				return nil, err
			}
		}
		if fmt.Sprint(h.Sum) != strings.TrimSpace(sum) {
			out = append(out, c.Name)
		}
	}
	return out, nil
}

// hashParquet adds the rows of one Parquet file to h.
func (j *importJob) hashParquet(ctx context.Context, name string, h *rowHasher) error {
	f, err := j.opts.FS.Open(ctx, name)
	if err != nil {
		return err
	}
	defer f.Close()
	return hashParquetFile(ctx, f, j, h)
}

func hashParquetFile(ctx context.Context, f warehouse.File, j *importJob, h *rowHasher) error {
	pr, err := file.NewParquetReader(io.NewSectionReader(f, 0, f.Size()))
	if err != nil {
		return err
	}
	defer pr.Close()
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: 8192}, memory.DefaultAllocator)
	if err != nil {
		return err
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return err
	}
	defer rr.Release()
	// Output column of each checksum column.
	idx := make([]int, len(j.checksumCols))
	for i, c := range j.checksumCols {
		name := j.maps[c].Column.Name
		found := rr.Schema().FieldIndices(name)
		if len(found) != 1 {
			return fmt.Errorf("column %s missing from the file", name)
		}
		idx[i] = found[0]
	}
	var scratch []byte
	for rr.Next() {
		rec := rr.RecordBatch()
		cols := make([]arrow.Array, len(idx))
		for i, k := range idx {
			cols[i] = rec.Column(k)
		}
		for row := 0; row < int(rec.NumRows()); row++ {
			h.begin()
			for i, arr := range cols {
				if arr.IsNull(row) {
					h.null()
					continue
				}
				scratch, err = arrowCanonical(scratch[:0], j.maps[j.checksumCols[i]], arr, row)
				if err != nil {
					return err
				}
				h.value(scratch)
			}
			h.end()
		}
	}
	return rr.Err()
}
