-- A session (and the embedded-login ticket it is made from) remembers the connection it was
-- authenticated on: `/authorize` completes with it only for clients that have that connection
-- enabled (Auth0's rule), so an administrator's console session never reaches an application and
-- an application's session never reaches the console. Existing rows take their user's connection.
ALTER TABLE sessions ADD COLUMN connection_id TEXT NOT NULL DEFAULT '';
UPDATE sessions SET connection_id = COALESCE((SELECT u.connection_id FROM users u WHERE u.user_id = sessions.user_id), '');
ALTER TABLE login_tickets ADD COLUMN connection_id TEXT NOT NULL DEFAULT '';
UPDATE login_tickets SET connection_id = COALESCE((SELECT u.connection_id FROM users u WHERE u.user_id = login_tickets.user_id), '');
