-- Trust boundaries: logins bound to the browser that started them, one-time links bound to the
-- address they were mailed to.

-- SHA-256 of the browser-binding cookie (`tg_browser`) of the browser that asked for the embedded
-- login ticket (/co/authenticate) or started the round trip to an identity provider
-- (/authorize?connection=): /authorize?login_ticket= and /login/callback only finish in that browser.
ALTER TABLE login_tickets ADD COLUMN browser_hash TEXT;
ALTER TABLE federated_states ADD COLUMN browser_hash TEXT;

-- The address a reset or verification link was mailed to: after an email change the link does nothing.
ALTER TABLE tickets ADD COLUMN email TEXT;
