-- The scheduler's state (package metastore/schedstore, issue 7): one row per
-- schedule, one per (schedule, window) run, one per attempt. Times are UTC
-- Unix milliseconds, 0 for "none". Leader leases live in leases.
CREATE TABLE sched_state (
  name VARCHAR(255) NOT NULL PRIMARY KEY,
  cursor_at BIGINT NOT NULL,
  paused INTEGER NOT NULL
);

CREATE TABLE sched_runs (
  schedule VARCHAR(255) NOT NULL,
  window_start BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  trigger_kind VARCHAR(16) NOT NULL,
  live INTEGER NOT NULL,
  queued_at BIGINT NOT NULL,
  not_before BIGINT NOT NULL,
  attempts INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  holder VARCHAR(255) NOT NULL,
  token BIGINT NOT NULL,
  lease_until BIGINT NOT NULL,
  started_at BIGINT NOT NULL,
  finished_at BIGINT NOT NULL,
  row_count BIGINT NOT NULL,
  error TEXT NOT NULL,
  blocked TEXT NOT NULL,
  alerted INTEGER NOT NULL,
  stale_reruns INTEGER NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (schedule, window_start)
);
CREATE INDEX sched_runs_by_status ON sched_runs (status, window_start);
CREATE INDEX sched_runs_by_window ON sched_runs (window_start);
CREATE INDEX sched_runs_by_updated ON sched_runs (updated_at);

CREATE TABLE sched_attempts (
  schedule VARCHAR(255) NOT NULL,
  window_start BIGINT NOT NULL,
  seq INTEGER NOT NULL,
  token BIGINT NOT NULL,
  holder VARCHAR(255) NOT NULL,
  trigger_kind VARCHAR(16) NOT NULL,
  status VARCHAR(16) NOT NULL,
  started_at BIGINT NOT NULL,
  finished_at BIGINT NOT NULL,
  row_count BIGINT NOT NULL,
  error TEXT NOT NULL,
  PRIMARY KEY (schedule, window_start, seq)
);

-- Run fencing tokens come from one counter, so a token is never reused,
-- not even by a window pruned and queued again.
CREATE TABLE sched_counters (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  value BIGINT NOT NULL
);
INSERT INTO sched_counters (name, value) VALUES ('run_token', 0);
