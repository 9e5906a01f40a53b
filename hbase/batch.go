package hbase

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hetl/hetl/hbase/internal/thrift2"
)

// Row is a row key, the cells to write into it, and the columns to
// delete (Family, Qualifier and Timestamp of each Deletes cell: every
// version up to that timestamp goes).
type Row struct {
	Key     []byte
	Cells   []Cell
	Deletes []Cell
}

// RetryPolicy bounds retries of calls that failed in a way a new attempt
// can fix: a dropped or timed-out connection (the gateway restarted, a
// network blip), or a region that moved or is being split.
type RetryPolicy struct {
	Attempts int           // total attempts, at least 1 (default 6)
	Backoff  time.Duration // before the second attempt; doubles (default 200ms)
	MaxWait  time.Duration // cap of one backoff (default 5s)
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Attempts < 1 {
		p.Attempts = 6
	}
	if p.Backoff <= 0 {
		p.Backoff = 200 * time.Millisecond
	}
	if p.MaxWait <= 0 {
		p.MaxWait = 5 * time.Second
	}
	return p
}

// Retryable reports whether err is worth another attempt. Puts with
// explicit cell timestamps are idempotent, so a batch that may have been
// half applied is simply written again.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, ErrClosed) ||
		errors.Is(err, ErrTableNotFound) || errors.Is(err, ErrTableExists) {
		return false
	}
	var ge *GatewayError
	if errors.As(err, &ge) {
		if ge.Illegal {
			return false
		}
		if ge.CanRetry {
			return true
		}
		for _, s := range []string{"NotServingRegion", "RegionMoved", "RegionTooBusy", "RegionOpening", "CallQueueTooBig", "RetriesExhausted", "ServerNotRunningYet", "PleaseHold", "ConnectException", "SocketTimeout", "timed out"} {
			if strings.Contains(ge.Message, s) {
				return true
			}
		}
		return false
	}
	// Transport errors: the call dropped the connection; the next dials.
	return true
}

// withRetry runs fn until it succeeds, fails for good, or the policy's
// attempts are used; onRetry (optional) hears of each retry.
func withRetry(ctx context.Context, p RetryPolicy, onRetry func(attempt int, err error), fn func() error) error {
	p = p.withDefaults()
	wait := p.Backoff
	var err error
	for attempt := 1; ; attempt++ {
		if err = fn(); err == nil || !Retryable(err) || attempt >= p.Attempts {
			if err != nil && attempt > 1 {
				err = fmt.Errorf("%w (after %d attempts)", err, attempt)
			}
			return err
		}
		if onRetry != nil {
			onRetry(attempt, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (retrying after: %v)", ctx.Err(), err)
		case <-t.C:
		}
		wait = min(wait*2, p.MaxWait)
	}
}

// PutRows writes rows in one putMultiple call, retried under p. Cells
// should carry explicit timestamps, which makes a retry idempotent.
func (c *Client) PutRows(ctx context.Context, table TableName, rows []Row, p RetryPolicy, onRetry func(int, error)) error {
	op := "putMultiple " + table.String()
	if err := table.validate(); err != nil {
		return err
	}
	puts := make([]*thrift2.TPut, 0, len(rows))
	var deletes []*thrift2.TDelete
	for _, r := range rows {
		if len(r.Key) == 0 {
			return fmt.Errorf("hbase %s: empty row key", op)
		}
		if len(r.Deletes) > 0 {
			d := &thrift2.TDelete{Row: r.Key, DeleteType: thrift2.TDeleteType_DELETE_COLUMNS}
			for i := range r.Deletes {
				c := &r.Deletes[i]
				col := &thrift2.TColumn{Family: []byte(c.Family), Qualifier: []byte(c.Qualifier)}
				if c.Timestamp != 0 {
					col.Timestamp = &c.Timestamp
				}
				d.Columns = append(d.Columns, col)
			}
			deletes = append(deletes, d)
		}
		if len(r.Cells) == 0 {
			continue // nothing to write: HBase refuses empty puts
		}
		put := &thrift2.TPut{Row: r.Key}
		for i := range r.Cells {
			cell := &r.Cells[i]
			if cell.Family == "" {
				return fmt.Errorf("hbase %s: cell %q has no family", op, cell.Qualifier)
			}
			cv := &thrift2.TColumnValue{Family: []byte(cell.Family), Qualifier: []byte(cell.Qualifier), Value: cell.Value}
			if cell.Timestamp != 0 {
				cv.Timestamp = &cell.Timestamp
			}
			put.ColumnValues = append(put.ColumnValues, cv)
		}
		puts = append(puts, put)
	}
	if len(puts) > 0 {
		err := withRetry(ctx, p, onRetry, func() error {
			err := c.call(ctx, op, func(svc *thrift2.THBaseServiceClient) error {
				return svc.PutMultiple(ctx, table.bytes(), puts)
			})
			return c.notFoundIfMissing(ctx, table, err)
		})
		if err != nil {
			return err
		}
	}
	if len(deletes) == 0 {
		return nil
	}
	dop := "deleteMultiple " + table.String()
	return withRetry(ctx, p, onRetry, func() error {
		var failed []*thrift2.TDelete
		err := c.call(ctx, dop, func(svc *thrift2.THBaseServiceClient) error {
			var err error
			failed, err = svc.DeleteMultiple(ctx, table.bytes(), deletes)
			return err
		})
		if err == nil && len(failed) > 0 {
			return fmt.Errorf("hbase %s: %d of %d deletes not applied", dop, len(failed), len(deletes))
		}
		return c.notFoundIfMissing(ctx, table, err)
	})
}

// Families lists the column families of a table.
func (c *Client) Families(ctx context.Context, table TableName) ([]string, error) {
	op := "getTableDescriptor " + table.String()
	if err := table.validate(); err != nil {
		return nil, err
	}
	var d *thrift2.TTableDescriptor
	err := c.call(ctx, op, func(svc *thrift2.THBaseServiceClient) error {
		var err error
		d, err = svc.GetTableDescriptor(ctx, table.thrift())
		return err
	})
	if err != nil {
		return nil, c.notFoundIfMissing(ctx, table, err)
	}
	var out []string
	for _, f := range d.GetColumns() {
		out = append(out, string(f.GetName()))
	}
	return out, nil
}

// Result is one row read back: its key and newest cells, in HBase's
// order (family, then qualifier).
type Result struct {
	Key   []byte
	Cells []Cell
}

func resultOf(r *thrift2.TResult_) Result {
	res := Result{Key: r.GetRow()}
	for _, cv := range r.GetColumnValues() {
		res.Cells = append(res.Cells, Cell{
			Family: string(cv.GetFamily()), Qualifier: string(cv.GetQualifier()),
			Value: cv.GetValue(), Timestamp: cv.GetTimestamp(),
		})
	}
	return res
}

// GetRows reads rows by key, in the order asked; a missing row has a nil
// Key and no cells.
func (c *Client) GetRows(ctx context.Context, table TableName, keys [][]byte, p RetryPolicy) ([]Result, error) {
	op := "getMultiple " + table.String()
	if err := table.validate(); err != nil {
		return nil, err
	}
	gets := make([]*thrift2.TGet, len(keys))
	for i, k := range keys {
		if len(k) == 0 {
			return nil, fmt.Errorf("hbase %s: empty row key", op)
		}
		gets[i] = &thrift2.TGet{Row: k}
	}
	var out []*thrift2.TResult_
	err := withRetry(ctx, p, nil, func() error {
		err := c.call(ctx, op, func(svc *thrift2.THBaseServiceClient) error {
			var err error
			out, err = svc.GetMultiple(ctx, table.bytes(), gets)
			return err
		})
		return c.notFoundIfMissing(ctx, table, err)
	})
	if err != nil {
		return nil, err
	}
	if len(out) != len(keys) {
		return nil, fmt.Errorf("hbase %s: %d results for %d keys", op, len(out), len(keys))
	}
	res := make([]Result, len(out))
	for i, r := range out {
		res[i] = resultOf(r)
	}
	return res, nil
}

// ScanOptions select the rows of a scan.
type ScanOptions struct {
	// StartRow (inclusive) and StopRow (exclusive); empty means the
	// table's start or end. Prefix, when set, restricts to keys starting
	// with it (and sets both bounds).
	StartRow, StopRow, Prefix []byte
	// Limit caps the rows returned (0: all).
	Limit int
	// BatchRows is the rows fetched per call (default 1000).
	BatchRows int
}

// Scan reads rows in key order and calls fn with each batch; fn's error
// stops the scan. A broken connection resumes after the last row seen,
// so no row is skipped or repeated.
func (c *Client) Scan(ctx context.Context, table TableName, o ScanOptions, p RetryPolicy, fn func([]Result) error) error {
	op := "scan " + table.String()
	if err := table.validate(); err != nil {
		return err
	}
	if o.BatchRows <= 0 {
		o.BatchRows = 1000
	}
	start, stop := o.StartRow, o.StopRow
	if len(o.Prefix) > 0 {
		start, stop = o.Prefix, prefixEnd(o.Prefix)
	}
	seen := 0
	var last []byte
	for {
		n := o.BatchRows
		if o.Limit > 0 {
			n = min(n, o.Limit-seen)
			if n <= 0 {
				return nil
			}
		}
		from := start
		if last != nil {
			from = append(append([]byte(nil), last...), 0) // the next key after last
		}
		var rows []*thrift2.TResult_
		err := withRetry(ctx, p, nil, func() error {
			err := c.call(ctx, op, func(svc *thrift2.THBaseServiceClient) error {
				scan := thrift2.NewTScan()
				scan.StartRow, scan.StopRow = from, stop
				caching := int32(n)
				scan.Caching = &caching
				var err error
				// One stateless call per batch: nothing to leak on the
				// gateway if hetl dies, and a restarted gateway is no
				// problem.
				rows, err = svc.GetScannerResults(ctx, table.bytes(), scan, int32(n))
				return err
			})
			return c.notFoundIfMissing(ctx, table, err)
		})
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		batch := make([]Result, len(rows))
		for i, r := range rows {
			batch[i] = resultOf(r)
		}
		last = batch[len(batch)-1].Key
		seen += len(batch)
		if err := fn(batch); err != nil {
			return err
		}
		if len(rows) < n {
			return nil
		}
	}
}

// prefixEnd is the first key after every key starting with prefix (nil:
// none, the prefix is all 0xFF).
func prefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xFF {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
