-- Client grants get ids (Management API `client-grants/{id}`, Auth0's `cgr_…`).
ALTER TABLE client_grants ADD COLUMN id TEXT;
UPDATE client_grants SET id = 'cgr_' || lower(hex(randomblob(8))) WHERE id IS NULL;
CREATE UNIQUE INDEX client_grants_id ON client_grants(id);
