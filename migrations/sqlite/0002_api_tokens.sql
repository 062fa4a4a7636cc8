-- API tokens for `servefit serve`. Only a SHA-256 hash of each token is stored; the token itself
-- is printed once, when it is created. Revoked tokens are kept (revoked_at set) for the audit trail.
CREATE TABLE api_token (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) > 0 AND length(name) <= 64),
    role TEXT NOT NULL CHECK (role IN ('read', 'write', 'admin')),
    token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    prefix TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
