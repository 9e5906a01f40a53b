// Package jobs runs hourly pipelines over Arrow record batches: a fact
// table's rows for one UTC window [H, H+1) are scanned from the
// warehouse, cleansed, anonymized, joined with dimension tables,
// augmented with derived columns, aggregated, and published as the
// window's partition of output tables.
//
// Operators are Streams of record batches (see stream.go): a scan is a
// Stream, and every step wraps the Stream before it. A Go program can
// build the same operators directly; hetl.yaml pipelines (package
// jobs/spec) are built into them by Build.
//
// Invariants callers rely on:
//   - A job receives its window and never calls time.Now(); the same
//     inputs give the same output, byte for byte, whatever the executor.
//   - A window's output partition is published atomically with a
//     manifest listing the input partitions it was computed from
//     (lineage); rerunning the window replaces it.
//   - Rows a cleanse rule or a join rejects are never dropped silently:
//     they go to the pipeline's quarantine partition with their reason,
//     and are counted.
//
// Caveats: dimension tables are read at their latest published version
// (the warehouse keeps no history of a replaced table); blocking steps
// (dedupe, aggregate) hold the window's rows or groups in memory.
package jobs
