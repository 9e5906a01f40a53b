// Package typemap maps MySQL column types to Arrow types and decodes the
// MySQL text protocol's bytes into Arrow builders, exactly.
//
// The mapping is the table in docs/types.md; Plan is its single source.
// Decoders never round, truncate, shift a time zone or replace a byte: a
// value that cannot be represented exactly (a zero or invalid date, text
// that is not valid UTF-8) is a *BadValue, and the caller applies the
// user's policy (NULL, error, or quarantine the row).
package typemap
