// Command benchsql is make bench-sql's Go side: "gen" publishes a year
// of hourly_activity's hourly aggregates (agg_events_hourly) through the
// pipeline's write step, "queries" prints the analyst queries as JSON
// (DuckDB's side runs the same text), and "run" times each query through
// sql/engine in-process and prints its p50/p95 latency, CPU time, rows,
// files opened and a digest of the result to compare with DuckDB's.
package main
