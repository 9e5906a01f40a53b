// Package expr is the small SQL-like expression language of pipeline
// steps: augment's derived columns, filter's predicates and cleanse's
// checks. docs/expressions.md is the user's reference.
//
// It owns the whole path from text to values: Parse reads an expression
// into an AST (whose String prints it back canonically), Compile checks
// it against an Arrow schema (column names match case-insensitively),
// fixes every type and reports mistakes with their position, and
// Program.Eval computes it over a record batch into one Arrow array.
// Go functions registered in a Registry are called by name.
//
// Types are BIGINT, DOUBLE, DECIMAL(p,s), VARCHAR, BOOLEAN, TIMESTAMP
// (microseconds, keeping the column's zone label: "" a wall clock,
// "UTC" an instant, both computed as UTC) and DATE. Narrower integer
// columns widen to BIGINT and FLOAT to DOUBLE; a BIGINT UNSIGNED value
// above 2^63-1 is an error where it is used. Values are never altered
// silently: integer overflow is an error, not a wrap; DECIMAL arithmetic
// is exact or refused at compile time; a CAST that cannot convert a
// value fails naming it (TRY_CAST gives NULL instead).
//
// NULL follows SQL: it propagates through operators and functions,
// except IS [NOT] NULL, COALESCE, CONCAT_WS, IF/CASE and AND/OR, which
// use three-valued logic (FALSE AND NULL is FALSE, TRUE OR NULL is
// TRUE). Division or modulo by zero is NULL, as in MySQL.
//
// Evaluation is vectorised: each node computes a whole batch into Go
// slices. Conditional forms (AND, OR, CASE, IF, COALESCE) compute an
// operand only for the rows that need it, so a guarded expression never
// fails on a row its guard excludes. A row's value depends on that row
// alone, never on the other rows of its batch or on where batches are
// cut: evaluating a batch whole or in slices gives the same values.
// Compiled programs hold no per-batch state and may be used from several
// goroutines at once.
package expr
