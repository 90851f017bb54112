-- Bulk jobs, second form: files in R2 (the JOB_FILES bucket), never in D1; every chunk moves
-- through an explicit state machine (edge/src/core/jobs/chunks.rs): queued -> claimed -> done |
-- failed, with attempts. Jobs still running when this migration applies are ended as failed.
UPDATE jobs SET status = 'failed', status_details = 'interrupted by an upgrade of the job store'
  WHERE status IN ('pending', 'processing');
DROP TABLE job_files;
DROP TABLE job_chunks;
CREATE TABLE job_chunks (
  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  chunk INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'claimed', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  claimed_at INTEGER,
  last_error TEXT,
  -- The chunk's object in JOB_FILES: an import's rows, or where an export page is written.
  object TEXT,
  -- Rows in an import chunk; users in an export page.
  rows INTEGER NOT NULL DEFAULT 0,
  -- Export pages: user ids [start_key, end_key) of the job's snapshot (NULL: open end).
  start_key TEXT,
  end_key TEXT,
  PRIMARY KEY (job_id, chunk)
);
-- The import job that inserted a user: a chunk processed again after a crash recognises its own
-- rows (they count as inserted, not as conflicts); also how a user base was provisioned.
ALTER TABLE users ADD COLUMN import_job TEXT;
