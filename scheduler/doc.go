// Package scheduler will own hetl's daemon: cron triggers (robfig/cron/v3's
// parser) mapped onto UTC hourly windows, catch-up from persisted state,
// leases so a window never runs twice at once, retries and SLAs.
//
// Nothing is implemented here yet; the scheduler issue builds it.
package scheduler
