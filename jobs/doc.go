// Package jobs will own hourly pipelines over Arrow record batches (scan,
// cleanse, anonymize, join, augment, aggregate, publish) and their executors:
// local goroutines by default, YARN containers in jobs/yarn.
//
// Nothing is implemented here yet; the hourly-pipelines issue builds it.
// Invariant to keep: a job receives its UTC window [H, H+1) and never calls
// time.Now() itself.
package jobs
