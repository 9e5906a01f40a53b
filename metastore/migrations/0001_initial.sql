-- Runs of imports and pipelines, one row per attempt of a (kind, name, window).
CREATE TABLE runs (
  id {{autoid}},
  kind VARCHAR(32) NOT NULL,
  name VARCHAR(255) NOT NULL,
  window_start BIGINT NOT NULL,
  window_end BIGINT NOT NULL,
  attempt INTEGER NOT NULL,
  status VARCHAR(16) NOT NULL,
  started_at BIGINT NOT NULL,
  finished_at BIGINT,
  error TEXT,
  stats TEXT
);
CREATE INDEX runs_by_name_window ON runs (name, window_start);
CREATE INDEX runs_by_status ON runs (status, started_at);

-- Incremental watermarks (last values), advanced only together with a publish.
CREATE TABLE watermarks (
  name VARCHAR(255) NOT NULL PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Saved jobs (hetl job create). Specs never hold passwords, only references.
CREATE TABLE jobs (
  name VARCHAR(255) NOT NULL PRIMARY KEY,
  kind VARCHAR(32) NOT NULL,
  spec TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Leases with fencing tokens: at most one holder of a name at a time.
CREATE TABLE leases (
  name VARCHAR(255) NOT NULL PRIMARY KEY,
  holder VARCHAR(255) NOT NULL,
  token BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
