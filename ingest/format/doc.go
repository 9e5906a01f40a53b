// Package format writes Arrow record batches as Parquet, Avro or delimited
// text files in a warehouse filesystem.
//
// The three formats carry the same values: the type table in docs/types.md
// is the contract, and the field metadata keys (MetaMySQLType, MetaFSP,
// MetaLogical) say how a value was encoded where the Arrow type alone does
// not. A writer never changes a value: text output escapes delimiters and
// newlines instead of altering them.
//
// A Writer's file is complete only after Close returns nil; callers write
// into a temporary directory and publish it atomically (see package ingest).
package format
