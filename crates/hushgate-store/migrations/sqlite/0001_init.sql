-- Times are microseconds since the Unix epoch (UTC); hashes are raw bytes.
CREATE TABLE tenants (
    name        TEXT PRIMARY KEY NOT NULL,
    created_us  INTEGER NOT NULL
);

-- Only a SHA-256 of the presented key is kept; the key itself is shown once.
CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY NOT NULL,
    tenant      TEXT NOT NULL REFERENCES tenants(name),
    label       TEXT,
    key_hash    BLOB NOT NULL,
    created_us  INTEGER NOT NULL,
    revoked_us  INTEGER
);
CREATE INDEX api_keys_tenant ON api_keys(tenant);

-- Monthly token budgets: one row per scope ("key:ID", "tenant:NAME") and period ("2026-11").
CREATE TABLE usage_counters (
    scope       TEXT NOT NULL,
    period      TEXT NOT NULL,
    tokens      INTEGER NOT NULL,
    requests    INTEGER NOT NULL,
    PRIMARY KEY (scope, period)
);

-- Fixed one-minute windows for rate limits shared by every replica.
CREATE TABLE rate_windows (
    scope         TEXT NOT NULL,
    window_start  INTEGER NOT NULL,
    hits          INTEGER NOT NULL,
    PRIMARY KEY (scope, window_start)
);

-- Encrypted vault blobs: opaque to the store.
CREATE TABLE vault_blobs (
    id          TEXT PRIMARY KEY NOT NULL,
    tenant      TEXT NOT NULL,
    blob        BLOB NOT NULL,
    created_us  INTEGER NOT NULL,
    expires_us  INTEGER NOT NULL
);
CREATE INDEX vault_blobs_expiry ON vault_blobs(expires_us);

-- The audit trail: one hash chain per tenant (see ARCHITECTURE.md).
CREATE TABLE audit_records (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant             TEXT NOT NULL,
    seq                INTEGER NOT NULL,
    prev_hash          BLOB NOT NULL,
    hash               BLOB NOT NULL,
    time_us            INTEGER NOT NULL,
    key_id             TEXT,
    request_id         TEXT NOT NULL,
    endpoint           TEXT NOT NULL,
    model              TEXT,
    route              TEXT,
    decision           TEXT NOT NULL,
    reasons            TEXT NOT NULL,
    findings           TEXT NOT NULL,
    value_hashes       TEXT NOT NULL,
    prompt_tokens      INTEGER,
    completion_tokens  INTEGER,
    latency_us         INTEGER NOT NULL,
    status             INTEGER NOT NULL,
    upstream_error     TEXT,
    redacted_prompt    TEXT,
    UNIQUE (tenant, seq)
);
CREATE INDEX audit_records_time ON audit_records(time_us);

-- The head of each tenant's chain; appenders serialize on this row.
CREATE TABLE audit_heads (
    tenant  TEXT PRIMARY KEY NOT NULL,
    seq     INTEGER NOT NULL,
    hash    BLOB NOT NULL
);

-- Signed statements "tenant T's chain had hash H at seq N" (kind 'checkpoint'), and the
-- purge anchor "records up to seq N were deleted on purpose" (kind 'anchor').
CREATE TABLE audit_checkpoints (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    hash        BLOB NOT NULL,
    created_us  INTEGER NOT NULL,
    key_id      TEXT NOT NULL,
    signature   BLOB NOT NULL
);
CREATE INDEX audit_checkpoints_tenant_seq ON audit_checkpoints(tenant, seq);
