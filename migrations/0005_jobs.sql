-- Management API jobs: bulk user imports and exports.
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL CHECK (type IN ('users_import', 'users_export')),
  status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
  connection_id TEXT,
  external_id TEXT,
  -- JSON: upsert, send_completion_email (imports); format, fields, limit (exports)
  options TEXT NOT NULL DEFAULT '{}',
  total INTEGER NOT NULL DEFAULT 0,
  chunks INTEGER NOT NULL DEFAULT 0,
  chunks_done INTEGER NOT NULL DEFAULT 0,
  inserted INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  status_details TEXT,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  completed_at INTEGER
);

-- Work units: an import's rows (JSON array of {index, user, duplicate}), or an export's page.
-- `status` pending → processing (claimed; re-claimable after 5 minutes) → done.
CREATE TABLE job_chunks (
  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  chunk INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  claimed_at INTEGER,
  rows TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (job_id, chunk)
);

-- Per-user import errors (hashes redacted).
CREATE TABLE job_errors (
  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  row_index INTEGER NOT NULL,
  user TEXT NOT NULL,
  errors TEXT NOT NULL,
  PRIMARY KEY (job_id, row_index)
);

-- Export output: one gzip member per chunk (concatenated members form one gzip file), base64.
CREATE TABLE job_files (
  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  part INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (job_id, part)
);
