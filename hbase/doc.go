// Package hbase is hetl's access to HBase, through the Thrift2 gateway that
// every HBase distribution ships (github.com/tsuna/gohbase cannot be had
// here). The Go bindings in internal/thrift2 are generated from HBase's own
// IDL by `go generate` (gen.sh); nothing outside this package sees them.
//
// Built so far: Dial, table administration (create with families and split
// keys, exists, delete) and single-row Put and Get. Batched writes with
// retries, pre-splitting from key samples, and scans into Arrow come with the
// HBase import issue.
//
// Caveats:
//   - A Client holds one gateway connection and serialises calls on it; open
//     several Clients for parallel work.
//   - Errors from the gateway are translated here: table-not-found and
//     table-exists become ErrTableNotFound and ErrTableExists; every other
//     TIOError or TIllegalArgument becomes a *GatewayError.
package hbase

//go:generate bash gen.sh
