-- The delivery log (docs/worker.md, "Operations"): one row per event a hook route received (or per
-- refused request), written off the provider's answer path, its attempts appended by the
-- queue consumer. Never a body, never a secret. Pruned after LOG_RETENTION_DAYS by the Cron
-- Trigger.
CREATE TABLE deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  received_ms INTEGER NOT NULL,          -- Unix ms
  tenant TEXT,                           -- NULL on the single-tenant routes
  provider TEXT,
  outcome TEXT NOT NULL,                 -- accepted | refused | handshake | duplicate
  code TEXT,                             -- the error code when refused
  event_id TEXT,
  type TEXT,
  subject TEXT,
  webhook_id TEXT,
  attempts TEXT NOT NULL DEFAULT '[]',   -- JSON: [{"at", "status", "latency_ms", "error"}]
  end_state TEXT,                        -- pending | delivered | dead (accepted events only)
  delivered_ms INTEGER
);
CREATE INDEX deliveries_by_time ON deliveries (received_ms);
CREATE INDEX deliveries_by_webhook_id ON deliveries (webhook_id);
