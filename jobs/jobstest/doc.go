// Package jobstest holds test helpers shared by packages that check the
// built-in hourly_activity pipeline end to end (the scheduler's end-to-end
// test): hourly_activity written in SQL over the source tables, the
// independent computation its published output must agree with.
//
// Package jobs's own test keeps its copy of the query: an internal test
// of jobs cannot import a package that imports jobs.
package jobstest
