-- One row per attempt: two processes starting the same window cannot both
-- record attempt N.
CREATE UNIQUE INDEX runs_attempt ON runs (kind, name, window_start, attempt);
