-- Identity providers' discovery documents and key sets (JWKS), reused for an hour instead of being
-- fetched on every social login. Keyed by URL; only URLs of configured connections land here.
CREATE TABLE provider_cache (
  url TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  fetched_at INTEGER NOT NULL
);
