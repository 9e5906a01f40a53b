// Package ingest will own hetl's Sqoop-like data movement between MySQL and
// the warehouse: MySQL metadata, split planning, parallel snapshot readers,
// the MySQL→Arrow type mapping, incremental state, validation and export.
//
// Nothing is implemented here yet; the import issue builds it. The package
// exists now so the layout matches docs/architecture.md.
package ingest
