// Package spec is the declared form of an hourly pipeline, as written in
// hetl.yaml under pipelines.NAME (and as the built-in pipelines are
// written). It only describes and validates; package jobs builds and runs
// pipelines from it.
//
// A pipeline reads one hour-partitioned fact table for a UTC window, may
// join dimension tables (their latest published version), and runs a
// list of steps over the rows; a write step publishes the rows it sees
// as the window's partition of an output table and passes them on, so
// one pipeline can publish cleansed rows and their aggregate.
//
// Ordered lists of named things (derived columns, measures) are YAML
// sequences of one-key mappings, so their order is the user's.
package spec
