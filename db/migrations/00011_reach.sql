-- +goose Up
-- Which route carried (or is carrying) a delivery: cs, transaction, zns,
-- or the ZBS template of deliveries sent before routes were chosen.
CREATE TYPE delivery_route AS ENUM ('cs', 'transaction', 'zns', 'template');

-- deferred: held back by the night (transaction messages are refused from
-- 22:00 to 06:00) until deferred_until, then sent in the recipient's one
-- morning message (digest_id).
ALTER TYPE delivery_status ADD VALUE 'deferred';

-- A morning message: every alert held back overnight for one recipient,
-- sent once. Its card (header and rows) is decided once, before the first
-- send, so an attempt whose answer was lost can be looked for by its text.
CREATE TABLE digests (
    id              uuid PRIMARY KEY,
    recipient       text NOT NULL,
    due_at          timestamptz NOT NULL,
    card            jsonb,
    route           delivery_route,
    status          delivery_status NOT NULL DEFAULT 'pending',
    attempts        integer NOT NULL DEFAULT 0,
    zalo_message_id text NOT NULL DEFAULT '',
    last_error      text NOT NULL DEFAULT '',
    in_doubt_since  timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);

ALTER TABLE deliveries
    ADD COLUMN route delivery_route,
    ADD COLUMN deferred_until timestamptz,
    ADD COLUMN digest_id uuid REFERENCES digests (id) ON DELETE SET NULL;
-- A recipient's held alerts not yet in a morning message.
CREATE INDEX deliveries_held_idx ON deliveries (recipient, deferred_until) WHERE deferred_until IS NOT NULL AND digest_id IS NULL;
CREATE INDEX deliveries_digest_idx ON deliveries (digest_id) WHERE digest_id IS NOT NULL;

-- What the OA knows of how to reach a user: when they last interacted
-- (wrote, followed, or another user_* action; or user/detail's date), when
-- Zalo last refused them a cs message for want of one, and when user/detail
-- was last asked because neither was known.
ALTER TABLE zalo_followers
    ADD COLUMN last_interaction_at timestamptz,
    ADD COLUMN cs_refused_at timestamptz,
    ADD COLUMN interaction_checked_at timestamptz;

-- The OA-wide send budget: the next free slot of ZALO_SEND_RATE, shared by
-- every worker. Unlogged: losing it in a crash only restarts the pacing.
CREATE UNLOGGED TABLE send_budget (
    id      boolean PRIMARY KEY DEFAULT true CHECK (id),
    next_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE send_budget;
ALTER TABLE zalo_followers DROP COLUMN interaction_checked_at, DROP COLUMN cs_refused_at, DROP COLUMN last_interaction_at;
DROP INDEX deliveries_digest_idx;
DROP INDEX deliveries_held_idx;
ALTER TABLE deliveries DROP COLUMN digest_id, DROP COLUMN deferred_until, DROP COLUMN route;
DROP TABLE digests;
DROP TYPE delivery_route;
-- delivery_status keeps 'deferred': PostgreSQL cannot drop an enum value.
