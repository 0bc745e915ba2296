-- +goose Up
CREATE TABLE workspaces (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL CHECK (name <> ''),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- API keys are stored only as the SHA-256 of the key.
CREATE TABLE api_keys (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    key_hash     bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
    label        text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);

CREATE TABLE bank_accounts (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id   uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    bank_code      text NOT NULL DEFAULT '',
    bank_name      text NOT NULL DEFAULT '',
    account_number text NOT NULL CHECK (account_number <> ''),
    account_name   text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, account_number)
);

-- One row per bank transaction; (bank_account_id, external_id) is the
-- transaction's identity, so a re-delivered transaction is recognised.
CREATE TABLE transactions (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id           uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    bank_account_id        uuid NOT NULL REFERENCES bank_accounts (id) ON DELETE CASCADE,
    external_id            text NOT NULL CHECK (external_id <> ''),
    amount                 bigint NOT NULL CHECK (amount <> 0),
    description            text NOT NULL DEFAULT '',
    balance_after          bigint,
    occurred_at            timestamptz NOT NULL,
    reference              text NOT NULL DEFAULT '',
    counter_account_name   text NOT NULL DEFAULT '',
    counter_account_number text NOT NULL DEFAULT '',
    counter_bank_name      text NOT NULL DEFAULT '',
    raw                    jsonb,
    received_at            timestamptz NOT NULL DEFAULT now(),
    UNIQUE (bank_account_id, external_id)
);
CREATE INDEX transactions_workspace_received_idx ON transactions (workspace_id, received_at DESC);

-- Zalo users known to follow (or to have followed) the OA. oa_user_id is the
-- OA-scoped id messages are sent to; app_user_id is what Zalo login yields.
CREATE TABLE zalo_followers (
    oa_user_id   text PRIMARY KEY,
    app_user_id  text,
    display_name text NOT NULL DEFAULT '',
    avatar_url   text NOT NULL DEFAULT '',
    following    boolean NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX zalo_followers_app_user_idx ON zalo_followers (app_user_id) WHERE app_user_id IS NOT NULL;

-- Zalo accounts an owner logged in with.
CREATE TABLE zalo_accounts (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    app_user_id  text NOT NULL,
    oa_user_id   text,
    name         text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, app_user_id)
);

CREATE TYPE direction AS ENUM ('in', 'out', 'both');
CREATE TYPE message_kind AS ENUM ('cs', 'template');
CREATE TYPE integration_status AS ENUM ('active', 'paused', 'deleted');

CREATE TABLE integrations (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id     uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    owner_account_id uuid NOT NULL REFERENCES zalo_accounts (id),
    direction        direction NOT NULL DEFAULT 'in',
    min_amount       bigint NOT NULL DEFAULT 0 CHECK (min_amount >= 0),
    fields           text[] NOT NULL,
    message_kind     message_kind NOT NULL DEFAULT 'cs',
    template_id      text NOT NULL DEFAULT '',
    referral_code    text NOT NULL UNIQUE,
    status           integration_status NOT NULL DEFAULT 'active',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX integrations_workspace_idx ON integrations (workspace_id);

-- Which bank accounts an integration watches (a join table rather than an
-- array column, so a bank account cannot vanish from under an integration).
CREATE TABLE integration_bank_accounts (
    integration_id  uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    bank_account_id uuid NOT NULL REFERENCES bank_accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (integration_id, bank_account_id)
);
CREATE INDEX integration_bank_accounts_account_idx ON integration_bank_accounts (bank_account_id);

CREATE TABLE integration_members (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    oa_user_id     text NOT NULL,
    name           text NOT NULL DEFAULT '',
    added_at       timestamptz NOT NULL DEFAULT now(),
    removed_at     timestamptz
);
-- A person is a member of an integration at most once at a time.
CREATE UNIQUE INDEX integration_members_active_idx ON integration_members (integration_id, oa_user_id) WHERE removed_at IS NULL;

CREATE TYPE recipient_role AS ENUM ('owner', 'member');
CREATE TYPE delivery_status AS ENUM ('pending', 'sent', 'failed', 'skipped');

-- One row per (transaction, integration, recipient): the unique key is what
-- makes "never notify a recipient twice for one transaction" a constraint.
CREATE TABLE deliveries (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    transaction_id  uuid NOT NULL REFERENCES transactions (id) ON DELETE CASCADE,
    integration_id  uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    recipient       text NOT NULL,
    role            recipient_role NOT NULL,
    status          delivery_status NOT NULL DEFAULT 'pending',
    attempts        integer NOT NULL DEFAULT 0,
    zalo_message_id text NOT NULL DEFAULT '',
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    UNIQUE (transaction_id, integration_id, recipient)
);
CREATE INDEX deliveries_integration_created_idx ON deliveries (integration_id, created_at DESC);

-- +goose Down
DROP TABLE deliveries;
DROP TYPE delivery_status;
DROP TYPE recipient_role;
DROP TABLE integration_members;
DROP TABLE integration_bank_accounts;
DROP TABLE integrations;
DROP TYPE integration_status;
DROP TYPE message_kind;
DROP TYPE direction;
DROP TABLE zalo_accounts;
DROP TABLE zalo_followers;
DROP TABLE transactions;
DROP TABLE bank_accounts;
DROP TABLE api_keys;
DROP TABLE workspaces;
