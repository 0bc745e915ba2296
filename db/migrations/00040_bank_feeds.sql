-- +goose Up
-- A transaction's identity is its source and the id that source gave it:
-- the REST API is one source per workspace (source_id NULL), each webhook
-- source another. The same id from another source is another transaction,
-- so a leaked ingest key cannot pre-empt a payment a bank feed will bring.
-- via says how it arrived: the REST API, a webhook, or a read-back of the
-- provider's API that found what the webhooks missed.
CREATE TYPE transaction_via AS ENUM ('api', 'webhook', 'reconcile');

ALTER TABLE transactions
    ADD COLUMN source_id uuid REFERENCES webhook_sources (id),
    -- NULL only on the rows recorded before sources were kept: their
    -- origin is unknown, and their identity stays (bank account, id).
    ADD COLUMN via transaction_via,
    -- What only some feeds give: the virtual account (SePay's subAccount,
    -- Casso's virtualAccountNumber) and the payment code SePay found in
    -- the content.
    ADD COLUMN sub_account text NOT NULL DEFAULT '',
    ADD COLUMN payment_code text NOT NULL DEFAULT '',
    ADD CONSTRAINT transactions_source_check CHECK (via IS NULL OR (via = 'api') = (source_id IS NULL));

ALTER TABLE transactions DROP CONSTRAINT transactions_bank_account_id_external_id_key;
-- The identity: a webhook source's id, or the workspace's for the REST
-- API (random uuids both: the two never meet).
CREATE UNIQUE INDEX transactions_source_external_idx
    ON transactions ((COALESCE(source_id, workspace_id)), external_id) WHERE via IS NOT NULL;
-- The rows from before keep theirs: a redelivery of one is still a
-- duplicate, whichever source brings it now.
CREATE UNIQUE INDEX transactions_legacy_external_idx
    ON transactions (bank_account_id, external_id) WHERE via IS NULL;
-- A source's transactions by arrival: how many read-back recovered this
-- week, how often its webhooks come (for a silence).
CREATE INDEX transactions_source_received_idx
    ON transactions (source_id, via, received_at) WHERE source_id IS NOT NULL;

-- SePay beside Casso. A SePay source authenticates by HMAC or by API key,
-- as its merchant chose; a Casso source may hold a Casso API key (sealed)
-- to read its transactions back. last_webhook_at is when a verified
-- webhook last came (to about a minute); last_sync_at when read-back last
-- finished. sync_error is why Casso refused the key (since then; the owner
-- told once).
ALTER TABLE webhook_sources DROP CONSTRAINT webhook_sources_provider_check;
ALTER TABLE webhook_sources
    ADD CONSTRAINT webhook_sources_provider_check CHECK (provider IN ('casso_v1', 'casso_v2', 'sepay')),
    ADD COLUMN auth text CHECK (auth IN ('hmac', 'apikey')),
    ADD CONSTRAINT webhook_sources_sepay_auth_check CHECK ((provider = 'sepay') = (auth IS NOT NULL)),
    ADD COLUMN casso_api_key bytea,
    ADD CONSTRAINT webhook_sources_casso_api_key_check CHECK (casso_api_key IS NULL OR provider <> 'sepay'),
    ADD COLUMN last_webhook_at timestamptz,
    ADD COLUMN last_sync_at timestamptz,
    ADD COLUMN sync_error text NOT NULL DEFAULT '',
    ADD COLUMN sync_error_since timestamptz,
    ADD COLUMN sync_error_told boolean NOT NULL DEFAULT false;

-- The sources read back, every period.
CREATE INDEX webhook_sources_read_back_idx ON webhook_sources (id) WHERE casso_api_key IS NOT NULL AND deleted_at IS NULL;

-- +goose Down
DROP INDEX transactions_source_received_idx;
DROP INDEX transactions_legacy_external_idx;
DROP INDEX transactions_source_external_idx;
ALTER TABLE transactions
    DROP CONSTRAINT transactions_source_check,
    DROP COLUMN payment_code,
    DROP COLUMN sub_account,
    DROP COLUMN via,
    DROP COLUMN source_id;
ALTER TABLE transactions ADD CONSTRAINT transactions_bank_account_id_external_id_key UNIQUE (bank_account_id, external_id);

DROP INDEX webhook_sources_read_back_idx;
ALTER TABLE webhook_sources
    DROP COLUMN sync_error_told,
    DROP COLUMN sync_error_since,
    DROP COLUMN sync_error,
    DROP COLUMN last_sync_at,
    DROP COLUMN last_webhook_at,
    DROP CONSTRAINT webhook_sources_casso_api_key_check,
    DROP COLUMN casso_api_key,
    DROP CONSTRAINT webhook_sources_sepay_auth_check,
    DROP COLUMN auth,
    DROP CONSTRAINT webhook_sources_provider_check;
DELETE FROM webhook_sources WHERE provider = 'sepay';
ALTER TABLE webhook_sources ADD CONSTRAINT webhook_sources_provider_check CHECK (provider IN ('casso_v1', 'casso_v2'));
DROP TYPE transaction_via;
