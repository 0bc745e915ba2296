-- +goose Up
-- Zalo in 2026 (ZALO.md §5): the transaction message is switched off; a
-- template approved in Zalo's console goes by user id (route 'template')
-- or by phone ('template_phone'). 'transaction' and 'zns' stay as values
-- of deliveries recorded before.
ALTER TYPE delivery_route ADD VALUE 'template_phone';

-- The OA's templates, as Zalo last described them (list and info, on a
-- schedule and on its change_template_* webhooks). told_key is the
-- (status, quality) the owners using it were last told of.
CREATE TABLE zalo_templates (
    template_id     text PRIMARY KEY,
    name            text NOT NULL DEFAULT '',
    status          text NOT NULL DEFAULT '',
    tag             text NOT NULL DEFAULT '',
    quality         text NOT NULL DEFAULT '',
    params          jsonb NOT NULL DEFAULT '[]',
    price_uid       bigint NOT NULL DEFAULT 0,
    price_sdt       bigint NOT NULL DEFAULT 0,
    sendable_by_uid boolean NOT NULL DEFAULT true,
    preview_url     text NOT NULL DEFAULT '',
    read_at         timestamptz NOT NULL DEFAULT now(),
    told_key        text NOT NULL DEFAULT ''
);

-- Which of the integration's fields fills each template parameter.
ALTER TABLE integrations ADD COLUMN template_params jsonb NOT NULL DEFAULT '{}';

-- A recipient's phone (E.164 without "+", for the template by phone) and
-- quiet hours ("HH:MM-HH:MM", Vietnam time: their alerts wait, then go as
-- one message). A member's on their membership; the owner's on the
-- integration.
ALTER TABLE integration_members
    ADD COLUMN phone text CHECK (phone ~ '^[0-9]{9,15}$'),
    ADD COLUMN quiet_hours text CHECK (quiet_hours ~ '^[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]$');
ALTER TABLE integrations
    ADD COLUMN owner_phone text CHECK (owner_phone ~ '^[0-9]{9,15}$'),
    ADD COLUMN owner_quiet_hours text CHECK (owner_quiet_hours ~ '^[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]$');

-- What became of a message after Zalo took it (its receipts), what it
-- cost, whether it may have arrived twice (a send in doubt resent for want
-- of evidence) and whether it arrived without its push sound (a template
-- at night).
ALTER TABLE deliveries
    ADD COLUMN seen_at timestamptz,
    ADD COLUMN received_at timestamptz,
    ADD COLUMN cost_vnd bigint NOT NULL DEFAULT 0,
    ADD COLUMN maybe_duplicate boolean NOT NULL DEFAULT false,
    ADD COLUMN silent boolean NOT NULL DEFAULT false;
-- Receipts and evidence find a message by Zalo's id.
CREATE INDEX deliveries_message_idx ON deliveries (zalo_message_id) WHERE zalo_message_id <> '';
CREATE INDEX digests_message_idx ON digests (zalo_message_id) WHERE zalo_message_id <> '';
CREATE INDEX notes_message_idx ON notes (zalo_message_id) WHERE zalo_message_id <> '';

-- Receipts of messages sent by phone (user_received_message), by our
-- tracking id: the evidence that settles a send whose answer was lost,
-- whichever comes first.
CREATE TABLE phone_receipts (
    tracking_id  text PRIMARY KEY,
    msg_id       text NOT NULL,
    delivered_at timestamptz,
    received_at  timestamptz NOT NULL DEFAULT now()
);

-- Routes stopped for the whole OA until a person acts (ZALO.md §5's "needs
-- a person": verification, a tier, a paying account, an API grant; route
-- 'all' for an OA token Zalo refuses even fresh). One send probes it at
-- probe_at; a success, getoa showing the cause gone, or an operator
-- resumes it.
CREATE TABLE route_pauses (
    route    text PRIMARY KEY,
    code     integer NOT NULL,
    message  text NOT NULL,
    since    timestamptz NOT NULL DEFAULT now(),
    probe_at timestamptz NOT NULL
);

-- The OA as getoa last described it: the three things that gate sending.
CREATE TABLE oa_health (
    id           boolean PRIMARY KEY DEFAULT true CHECK (id),
    oa_id        text NOT NULL DEFAULT '',
    name         text NOT NULL DEFAULT '',
    is_verified  boolean NOT NULL DEFAULT false,
    package_name text NOT NULL DEFAULT '',
    linked_zca   boolean NOT NULL DEFAULT false,
    checked_at   timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE oa_health;
DROP TABLE route_pauses;
DROP TABLE phone_receipts;
DROP INDEX notes_message_idx;
DROP INDEX digests_message_idx;
DROP INDEX deliveries_message_idx;
ALTER TABLE deliveries DROP COLUMN silent, DROP COLUMN maybe_duplicate, DROP COLUMN cost_vnd, DROP COLUMN received_at, DROP COLUMN seen_at;
ALTER TABLE integrations DROP COLUMN owner_quiet_hours, DROP COLUMN owner_phone, DROP COLUMN template_params;
ALTER TABLE integration_members DROP COLUMN quiet_hours, DROP COLUMN phone;
DROP TABLE zalo_templates;
