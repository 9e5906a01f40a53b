// Package split divides a table into chunks that parallel readers pull
// from a queue.
//
// Chunks are ranges of the split key (the primary key by default, composite
// keys included) whose boundaries are found by walking the key index in
// steps of a fixed number of rows, so every chunk holds about the same
// number of rows however skewed the key values are. Boundaries are
// compared in the key's own type and collation, so under a
// case-insensitive collation no row falls in two chunks or in none. The
// chunks partition the key space completely: the first is open below, the
// last open above, and a nullable split column gets its own IS NULL chunk.
//
// The walk runs ahead of the readers on its own connection and needs no
// snapshot: boundaries only decide where rows go, never which rows exist.
package split
