-- +goose Up
-- The OA's token pair; one row. Both tokens are sealed with
-- TINGTING_ENCRYPTION_KEY. version grows by one with every refresh, so a
-- swap can require the version it replaces.
CREATE TABLE oa_tokens (
    singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    access_token  bytea NOT NULL,
    refresh_token bytea NOT NULL,
    expires_at    timestamptz NOT NULL,
    version       bigint NOT NULL DEFAULT 1,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Zalo webhook events as received; dedup_key makes a redelivery a no-op.
CREATE TABLE zalo_events (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dedup_key   text NOT NULL UNIQUE,
    event_name  text NOT NULL,
    raw         bytea NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE zalo_events;
DROP TABLE oa_tokens;
