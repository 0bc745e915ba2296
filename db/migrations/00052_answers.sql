-- +goose Up
-- Alerts before chatter (issue 24, item 4).
--
-- A sender in no integration (a stranger) gets at most one answer a day
-- (Vietnam day): the event it went to, so handling that event again
-- answers again.
CREATE TABLE stranger_answers (
    oa_user_id text PRIMARY KEY,
    day        date NOT NULL,
    event      text NOT NULL
);

-- A recipient's answers, a token bucket per sender: tokens left at at;
-- event is the last one answered, so handling it again answers again.
CREATE TABLE answer_allowances (
    oa_user_id text PRIMARY KEY,
    tokens     float8 NOT NULL,
    at         timestamptz NOT NULL,
    event      text NOT NULL
);

-- The answers' share of the OA's send budget: the next free slot of
-- ZALO_ANSWER_SHARE × ZALO_SEND_RATE (send_budget's twin). Unlogged: losing
-- it in a crash only restarts the pacing.
CREATE UNLOGGED TABLE answer_budget (
    id      boolean PRIMARY KEY DEFAULT true CHECK (id),
    next_at timestamptz NOT NULL
);

-- Who receives alerts, by OA id: the members and owners of integrations
-- not deleted. Asked for every command the OA receives, so indexed.
CREATE INDEX integration_members_oa_user_idx ON integration_members (oa_user_id) WHERE removed_at IS NULL;
CREATE INDEX zalo_accounts_oa_user_idx ON zalo_accounts (oa_user_id) WHERE oa_user_id IS NOT NULL;
CREATE VIEW oa_recipients AS
SELECT m.oa_user_id FROM integration_members m JOIN integrations i ON i.id = m.integration_id
WHERE m.removed_at IS NULL AND i.status <> 'deleted'
UNION ALL
SELECT za.oa_user_id FROM zalo_accounts za JOIN integrations i ON i.owner_account_id = za.id
WHERE za.oa_user_id IS NOT NULL AND i.status <> 'deleted';

-- +goose Down
DROP VIEW oa_recipients;
DROP INDEX zalo_accounts_oa_user_idx;
DROP INDEX integration_members_oa_user_idx;
DROP TABLE answer_budget;
DROP TABLE answer_allowances;
DROP TABLE stranger_answers;
