package hbase

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"
)

func TestGatewayPutRowsScanGetRows(t *testing.T) {
	c := dialTestGateway(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	spec := TableSpec{
		Name:      fmt.Sprintf("hetl_batch_%d", time.Now().UnixNano()),
		Families:  []FamilySpec{{Name: "f"}},
		SplitKeys: SaltSplits(4),
	}
	table := spec.Table()
	if err := c.CreateTable(ctx, spec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c.DeleteTable(ctx, table)
	})
	ts := time.Now().UnixMilli()
	const n = 3000
	var rows []Row
	for i := range n {
		key := []byte(fmt.Sprintf("%c%06d", byte(i%4), i)) // four salt buckets
		rows = append(rows, Row{Key: key, Cells: []Cell{{Family: "f", Qualifier: "v", Value: []byte(fmt.Sprint(i)), Timestamp: ts}}})
	}
	for start := 0; start < n; start += 500 {
		if err := c.PutRows(ctx, table, rows[start:start+500], RetryPolicy{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	// Writing the same batch again (a retry) changes nothing.
	if err := c.PutRows(ctx, table, rows[:500], RetryPolicy{}, nil); err != nil {
		t.Fatal(err)
	}

	var got []Result
	if err := c.Scan(ctx, table, ScanOptions{BatchRows: 700}, RetryPolicy{}, func(b []Result) error {
		got = append(got, b...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("scanned %d rows, want %d", len(got), n)
	}
	for i := 1; i < len(got); i++ {
		if bytes.Compare(got[i-1].Key, got[i].Key) >= 0 {
			t.Fatalf("rows out of order at %d: %q then %q", i, got[i-1].Key, got[i].Key)
		}
	}
	if len(got[0].Cells) != 1 || got[0].Cells[0].Timestamp != ts {
		t.Errorf("first row cells %+v", got[0].Cells)
	}

	// A connection lost between two batches: the scan goes on from the
	// last row it returned, skipping and repeating nothing.
	var resumed []Result
	if err := c.Scan(ctx, table, ScanOptions{BatchRows: 1000}, RetryPolicy{}, func(b []Result) error {
		resumed = append(resumed, b...)
		c.mu.Lock()
		c.drop()
		c.mu.Unlock()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(resumed) != n {
		t.Errorf("scan across dropped connections: %d rows, want %d", len(resumed), n)
	}

	var pref []Result
	if err := c.Scan(ctx, table, ScanOptions{Prefix: []byte{2}, Limit: 10, BatchRows: 3}, RetryPolicy{}, func(b []Result) error {
		pref = append(pref, b...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(pref) != 10 || pref[0].Key[0] != 2 || pref[9].Key[0] != 2 {
		t.Errorf("prefix scan: %d rows", len(pref))
	}
	stop := errors.New("enough")
	if err := c.Scan(ctx, table, ScanOptions{}, RetryPolicy{}, func([]Result) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("scan stopped by its callback: %v", err)
	}

	res, err := c.GetRows(ctx, table, [][]byte{rows[42].Key, []byte("missing"), rows[2999].Key}, RetryPolicy{})
	if err != nil {
		t.Fatal(err)
	}
	if string(res[0].Cells[0].Value) != "42" || res[1].Key != nil || len(res[1].Cells) != 0 || string(res[2].Cells[0].Value) != "2999" {
		t.Errorf("get rows: %+v", res)
	}
	if err := c.PutRows(ctx, TableName{Name: "hetl_no_such_table"}, rows[:1], RetryPolicy{Attempts: 2}, nil); !errors.Is(err, ErrTableNotFound) {
		t.Errorf("put into a missing table: %v", err)
	}
}

func TestRetryable(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{context.Canceled, false},
		{fmt.Errorf("hbase put: %w", ErrTableNotFound), false},
		{&GatewayError{Message: "org.apache.hadoop.hbase.NotServingRegionException: region x"}, true},
		{&GatewayError{Message: "org.apache.hadoop.hbase.exceptions.RegionMovedException"}, true},
		{&GatewayError{Message: "java.lang.IllegalArgumentException: bad", Illegal: true}, false},
		{&GatewayError{Message: "org.apache.hadoop.hbase.DoNotRetryIOException: no"}, false},
		{&GatewayError{Message: "anything", CanRetry: true}, true},
		{fmt.Errorf("hbase put: %w", io.ErrUnexpectedEOF), true},
	} {
		if got := Retryable(tt.err); got != tt.want {
			t.Errorf("Retryable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
	calls := 0
	err := withRetry(context.Background(), RetryPolicy{Attempts: 3, Backoff: time.Millisecond}, nil, func() error {
		calls++
		return io.ErrUnexpectedEOF
	})
	if calls != 3 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("%d calls, %v", calls, err)
	}
}
