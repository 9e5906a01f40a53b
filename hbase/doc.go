// Package hbase is hetl's access to HBase, through the Thrift2 gateway that
// every HBase distribution ships (github.com/tsuna/gohbase cannot be had
// here). The Go bindings in internal/thrift2 are generated from the IDL in
// HBase's hbase-thrift jar by `go generate ./hbase/...` (gen.sh); nothing
// outside this package sees them.
//
// Built so far: Dial, table administration (create with families and split
// keys, exists, disable and delete), single-row Put and Get, batched
// PutRows with bounded retries, GetRows, and Scan in stateless batches; row
// key encoding (RowKeyEncoder: order-preserving, collision-free, optional
// salt) and typed cell values as Java's Bytes writes them (AppendTyped,
// AppendDecoded), documented in docs/hbase.md; table attributes holding the
// schema an import wrote (TableSchema), and reading into Arrow record
// batches (ScanRecords, GetRecords).
//
// Invariants callers rely on:
//   - Every call is bounded: by ctx's deadline, or Options.CallTimeout when
//     that comes first; cancelling ctx interrupts a call waiting on the
//     gateway. Dial is bounded by ctx and Options.ConnectTimeout.
//   - A call that breaks off mid-message (timeout, cancellation, network)
//     closes the connection and the next call dials again, so a late reply is
//     never read as the answer to another call. Nothing is retried.
//   - Gateway errors are translated here: a missing or already existing
//     table gives errors that match ErrTableNotFound and ErrTableExists with
//     errors.Is; any other TIOError or TIllegalArgument is a *GatewayError.
//
// Caveats:
//   - A Client holds one connection and its calls take turns on it; open
//     several Clients for parallel work.
//   - Transport and protocol are not negotiated: they must match the
//     gateway's (HBase's defaults are buffered and binary). A mismatch shows
//     as a call failing with a protocol or transport error, not at Dial.
package hbase

//go:generate bash gen.sh
