-- Tenants: many customer accounts behind one edge (docs/worker.md, "Tenants"). Secrets are stored
-- sealed (AES-256-GCM under the Worker secret TENANT_KEY, the tenant id and the provider as
-- associated data): `sealed` is never plaintext, and the API shows only `fingerprint`.
CREATE TABLE tenants (
  id TEXT PRIMARY KEY,                 -- [a-z0-9][a-z0-9-]{0,62}
  state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'disabled')),
  origin_url TEXT,                     -- NULL: the deployment's ORIGIN_URL
  forward_secret TEXT,                 -- sealed whsec_ key; NULL: the deployment's FORWARD_SECRET
  forward_fingerprint TEXT,
  created_at TEXT NOT NULL,            -- RFC 3339 UTC
  updated_at TEXT NOT NULL
);

-- A provider's secrets of one tenant, several at once for rotation (tried in created order).
-- kind: `secret` (an HMAC key or bearer secret), `client_id` and `url_token` (Acrobat Sign).
CREATE TABLE tenant_secrets (
  id TEXT PRIMARY KEY,                 -- sec_ + 16 hex digits
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  provider TEXT NOT NULL,
  kind TEXT NOT NULL DEFAULT 'secret' CHECK (kind IN ('secret', 'client_id', 'url_token')),
  sealed TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  label TEXT,
  created_at TEXT NOT NULL,
  last_used_at TEXT
);
CREATE INDEX tenant_secrets_lookup ON tenant_secrets (tenant_id, provider, created_at);

-- The provider accounts a tenant owns: when it has any for a provider, only events naming
-- one of them are delivered (403 tenant_mismatch otherwise).
CREATE TABLE tenant_accounts (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  provider TEXT NOT NULL,
  account_id TEXT NOT NULL,
  PRIMARY KEY (tenant_id, provider, account_id)
);

-- Every change made through the admin API: what, when, and the secret's fingerprint.
CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  action TEXT NOT NULL,
  provider TEXT,
  fingerprint TEXT,
  detail TEXT
);
CREATE INDEX audit_by_tenant ON audit (tenant_id, id);
