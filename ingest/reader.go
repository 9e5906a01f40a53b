package ingest

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/hetl/hetl/ingest/source"
	"github.com/hetl/hetl/ingest/split"
	"github.com/hetl/hetl/ingest/typemap"
)

var errNotExist = fs.ErrNotExist

// chunkQuery is the SELECT for one chunk.
func (j *importJob) chunkQuery(c split.Chunk) string {
	if j.opts.Query != "" {
		return strings.ReplaceAll(j.opts.Query, "$CONDITIONS", "("+c.Where+")")
	}
	q := "SELECT " + j.selectList + " FROM " + j.from + " WHERE "
	if j.where != "" {
		q += "(" + j.where + ") AND "
	}
	return q + "(" + c.Where + ")"
}

// readChunk streams one chunk into a sink. Rows are never buffered beyond
// one Arrow batch per open partition.
//
// It reads through the driver's connection, not database/sql: the driver
// already parses numeric columns into int64/float64, and database/sql's
// Scan would format them back into text (and copy every value) only for
// hetl to parse them again.
func (j *importJob) readChunk(ctx context.Context, r *reader, c split.Chunk, sink *chunkSink) error {
	query := j.chunkQuery(c)
	err := r.conn.Raw(func(dc any) error {
		q, ok := dc.(driver.QueryerContext)
		if !ok {
			return fmt.Errorf("mysql driver connection %T cannot run queries", dc)
		}
		args, err := namedValues(dc, c.Args)
		if err != nil {
			return err
		}
		rows, err := q.QueryContext(ctx, query, args)
		if err != nil {
			return fmt.Errorf("chunk %d (%s): %w", c.ID, c.Desc, err)
		}
		err = j.drain(ctx, rows, c, sink)
		if cerr := rows.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("chunk %d (%s): %w", c.ID, c.Desc, cerr)
		}
		return err
	})
	if err != nil {
		return err
	}
	if err := sink.finish(ctx); err != nil {
		return err
	}
	return nil
}

// drain appends every row of one chunk's result to the sink.
func (j *importJob) drain(ctx context.Context, rows driver.Rows, c split.Chunk, sink *chunkSink) error {
	if n := len(rows.Columns()); n != len(j.maps) {
		return fmt.Errorf("chunk %d: the query returned %d columns, want %d", c.ID, n, len(j.maps))
	}
	vals := make([]driver.Value, len(j.maps))
	var sinceReport, bytesSince int64
	for {
		if err := rows.Next(vals); err != nil {
			if err == io.EOF {
				break
			}
			return fmt.Errorf("chunk %d (%s): %w", c.ID, c.Desc, err)
		}
		key := ""
		if j.partCol >= 0 {
			key = j.partitionKey(typemap.TextOf(vals[j.partCol]))
		}
		p, err := sink.part(ctx, key)
		if err != nil {
			return err
		}
		if err := p.batch.AppendRow(vals); err != nil {
			var bad *typemap.BadValue
			if !errors.As(err, &bad) {
				return fmt.Errorf("chunk %d: %w", c.ID, err)
			}
			if !j.quarantines(bad) {
				return fmt.Errorf("%w (the policy is error; use --zero-dates null|quarantine or --invalid-text quarantine)", bad)
			}
			text := make([][]byte, len(vals))
			for i, v := range vals {
				text[i] = typemap.TextOf(v)
			}
			if err := sink.quarantineRow(ctx, text, bad); err != nil {
				return err
			}
			continue
		}
		sinceReport++
		if sink.full(p) {
			bytesSince += p.batch.Bytes()
			if err := sink.flush(ctx, p); err != nil {
				return err
			}
			if j.opts.Progress != nil {
				j.opts.Progress.Add(sinceReport, bytesSince)
			}
			sinceReport, bytesSince = 0, 0
		}
	}
	if j.opts.Progress != nil && sinceReport > 0 {
		j.opts.Progress.Add(sinceReport, 0)
	}
	return nil
}

// namedValues converts a chunk's arguments as database/sql would, with
// the driver's own converter where it has one.
func namedValues(dc any, args []any) ([]driver.NamedValue, error) {
	out := make([]driver.NamedValue, len(args))
	checker, _ := dc.(driver.NamedValueChecker)
	for i, a := range args {
		nv := driver.NamedValue{Ordinal: i + 1, Value: a}
		if checker != nil {
			err := checker.CheckNamedValue(&nv)
			if err == nil {
				out[i] = nv
				continue
			}
			if err != driver.ErrSkip {
				return nil, fmt.Errorf("split argument %d (%T): %w", i+1, a, err)
			}
		}
		v, err := driver.DefaultParameterConverter.ConvertValue(a)
		if err != nil {
			return nil, fmt.Errorf("split argument %d (%T): %w", i+1, a, err)
		}
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out, nil
}

// quarantines says whether the policy for bad's kind is quarantine.
func (j *importJob) quarantines(bad *typemap.BadValue) bool {
	if strings.Contains(bad.Reason, "UTF-8") {
		return j.opts.Policies.InvalidText == typemap.ZeroDateQuarantine
	}
	return j.opts.Policies.ZeroDates == typemap.ZeroDateQuarantine
}

// partitionKey is the Hive-style partition path of an event-time value
// (DATETIME and TIMESTAMP arrive as UTC wall clock). NULL and zero dates go
// to Hive's default partition.
func (j *importJob) partitionKey(b []byte) string {
	const def = "__HIVE_DEFAULT_PARTITION__"
	if b == nil || len(b) < 10 || typemap.IsZeroDate(b) {
		if j.opts.PartitionGranularity == ByDay {
			return "dt=" + def
		}
		return "dt=" + def + "/hr=" + def
	}
	if j.opts.PartitionGranularity == ByDay || len(b) < 13 {
		return "dt=" + string(b[:10])
	}
	return "dt=" + string(b[:10]) + "/hr=" + string(b[11:13])
}

// retryable reports whether a chunk failed because its connection broke
// (killed, timed out, server restarted), so re-reading it may succeed.
func retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1053, 1152, 1153, 1158, 1159, 1160, 1161, 1317, 1927, 2006, 2013, 1205, 1213:
			// server shutdown, aborted connection, packet errors, query
			// or connection killed, lock wait / deadlock
			return true
		}
	}
	return false
}

// reopen replaces a broken reader with a new session in its own snapshot.
func (j *importJob) reopen(ctx context.Context, r *reader) error {
	_ = r.conn.Raw(func(any) error { return driver.ErrBadConn }) // drop the broken connection from the pool
	_ = r.conn.Close()
	r.conn, r.inTx = nil, false
	c, err := source.Conn(ctx, j.db)
	if err != nil {
		return err
	}
	r.conn = c
	if !j.opts.Embedded {
		if _, err := c.ExecContext(ctx, "START TRANSACTION WITH CONSISTENT SNAPSHOT"); err != nil {
			return fmt.Errorf("start snapshot transaction: %w", err)
		}
		r.inTx = true
	}
	return nil
}
