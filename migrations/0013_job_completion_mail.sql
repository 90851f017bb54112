-- send_completion_email: set by the one delivery that mails the tenant's administrators when an
-- import ends (core::jobs::notify_ended), so they get one mail however often chunks are delivered.
ALTER TABLE jobs ADD COLUMN completion_mailed INTEGER NOT NULL DEFAULT 0;
