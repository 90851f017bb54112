-- Trust boundaries: logins bound to the browser that started them, one-time links bound to the
-- address they were mailed to.

-- SHA-256 of the browser-binding cookie (`tg_browser`) of the browser that asked for the embedded
-- login ticket (/co/authenticate) or started the round trip to an identity provider
-- (/authorize?connection=): /authorize?login_ticket= and /login/callback only finish in that browser.
ALTER TABLE login_tickets ADD COLUMN browser_hash TEXT;
ALTER TABLE federated_states ADD COLUMN browser_hash TEXT;

-- The address a reset or verification link was mailed to: after an email change the link does nothing.
ALTER TABLE tickets ADD COLUMN email TEXT;

-- Brute-force protection counts *failed* verifications (`login_failures.count`); a login attempt
-- reserves a slot here while its password is checked, so concurrent attempts never verify more
-- than the limit and a right password is never refused because of attempts still in flight.
-- A reservation older than a minute is stale (its Worker died) and no longer counts.
CREATE TABLE login_in_flight (
  attempt_id TEXT PRIMARY KEY,
  connection_id TEXT NOT NULL,
  identifier TEXT NOT NULL,
  ip TEXT NOT NULL,
  started_at INTEGER NOT NULL
);
CREATE INDEX login_in_flight_key ON login_in_flight(connection_id, identifier, ip);

-- The heaviest foreign hash class imported into (or handed over to) a connection: a hash of the
-- same algorithm and cost that no password matches, and its work (argon2 KiB·passes). A failed
-- login on the connection spends that work too, so response times do not tell users with imported
-- hashes from unknown identifiers.
ALTER TABLE connections ADD COLUMN foreign_hash_dummy TEXT;
ALTER TABLE connections ADD COLUMN foreign_hash_work INTEGER NOT NULL DEFAULT 0;
