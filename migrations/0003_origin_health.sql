-- Whether an origin is failing (docs/worker.md, "Operations"): the first failure since its last
-- success, and whether signhook.origin.failing was sent. A success deletes the row (and
-- sends signhook.origin.recovered when it had alerted).
CREATE TABLE origin_health (
  origin TEXT PRIMARY KEY,
  failing_since_ms INTEGER NOT NULL,
  alerted INTEGER NOT NULL DEFAULT 0
);
