-- +goose Up
-- Work recorded but not yet handed to Temporal: one row per workflow to
-- start. The API writes it in the same transaction as what it records
-- (a transaction, a Zalo event, a delivery to send again), so a row that
-- is committed is always started, whether or not Temporal answered then.
-- The dispatcher deletes the row once its workflow has started.
CREATE TYPE outbox_kind AS ENUM ('notify', 'zalo_event', 'redeliver');
CREATE TABLE outbox (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind            outbox_kind NOT NULL,
    ref             uuid NOT NULL, -- transactions.id, zalo_events.id or deliveries.id
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, created_at);

-- The time of the follow or unfollow event that set zalo_followers.following,
-- so an older event arriving late never overwrites a newer one.
ALTER TABLE zalo_followers ADD COLUMN following_since timestamptz;

-- When the attempt began that may have reached Zalo without its outcome
-- being recorded: set as an attempt starts (a worker killed mid-send
-- leaves it), cleared once the outcome is known. An attempt that finds it
-- set looks in the recipient's conversation before sending again.
ALTER TABLE deliveries ADD COLUMN in_doubt_since timestamptz;
-- Who is reading a person's conversation to settle their doubts, until
-- when: one reader per person, and none holds a transaction meanwhile.
CREATE TABLE doubt_readers (
    recipient text PRIMARY KEY,
    until     timestamptz NOT NULL
);
-- The messages sent to a person after a time: how far back that check
-- starts looking.
CREATE INDEX deliveries_recipient_sent_idx ON deliveries (recipient, sent_at) WHERE status = 'sent';

-- The OA token's refresh, one Zalo call per refresh token: 'in_flight'
-- while a call is out, 'uncertain' when its answer was lost, 'reauthorize'
-- when Zalo refused the token for good.
ALTER TABLE oa_tokens ADD COLUMN refresh_state text NOT NULL DEFAULT ''
    CHECK (refresh_state IN ('', 'in_flight', 'uncertain', 'reauthorize'));
ALTER TABLE oa_tokens ADD COLUMN refresh_started_at timestamptz;

-- Retention: what the maintenance schedule purges, by age.
CREATE INDEX zalo_events_received_idx ON zalo_events (received_at) WHERE raw IS NOT NULL;
ALTER TABLE zalo_events ALTER COLUMN raw DROP NOT NULL;
CREATE INDEX oauth_logins_created_idx ON oauth_logins (created_at);
CREATE INDEX invite_failures_at_idx ON invite_failures (at);
CREATE INDEX transactions_raw_received_idx ON transactions (received_at) WHERE raw IS NOT NULL;

-- +goose Down
DROP INDEX transactions_raw_received_idx;
DROP INDEX deliveries_recipient_sent_idx;
DROP TABLE doubt_readers;
DROP INDEX invite_failures_at_idx;
DROP INDEX oauth_logins_created_idx;
ALTER TABLE zalo_events ALTER COLUMN raw SET NOT NULL;
DROP INDEX zalo_events_received_idx;
ALTER TABLE oa_tokens DROP COLUMN refresh_started_at;
ALTER TABLE oa_tokens DROP COLUMN refresh_state;
ALTER TABLE deliveries DROP COLUMN in_doubt_since;
ALTER TABLE zalo_followers DROP COLUMN following_since;
DROP TABLE outbox;
DROP TYPE outbox_kind;
