// Package expr is the small SQL-like expression language of pipeline
// steps: augment's derived columns, filter's predicates and cleanse's
// checks (docs/expressions.md is the user's reference).
//
// Parse reads an expression, Compile checks it against an Arrow schema
// (column names match case-insensitively) and fixes every type, and
// Program.Eval computes it over a record batch. Values are BIGINT,
// DOUBLE, VARCHAR, BOOLEAN and TIMESTAMP (microseconds, keeping the
// column's zone); narrower integer columns widen to BIGINT, FLOAT to
// DOUBLE.
//
// NULL follows SQL: it propagates through operators and functions
// (except IS NULL, COALESCE, IF/CASE conditions, and AND/OR's
// three-valued logic). Integer overflow is an error, never a wrap;
// division by zero is NULL, as in MySQL. Evaluation is row by row and
// depends on nothing but the row, so results never depend on how rows
// were split into batches.
package expr
