-- +goose Up
-- Notes: what the OA sends that has no row of its own (an owner's notice,
-- an answer to a command), kept so that one whose answer was lost is
-- settled as an alert is, from the recipient's conversation, instead of
-- being sent again. The text itself is not kept, only its SHA-256: enough
-- to recognise it in the conversation.
CREATE TABLE notes (
    id              uuid PRIMARY KEY,
    recipient       text NOT NULL,
    fingerprint     bytea NOT NULL,
    status          delivery_status NOT NULL DEFAULT 'pending',
    route           delivery_route,
    attempts        integer NOT NULL DEFAULT 0,
    zalo_message_id text NOT NULL DEFAULT '',
    last_error      text NOT NULL DEFAULT '',
    in_doubt_since  timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX notes_in_doubt_idx ON notes (recipient, in_doubt_since) WHERE status = 'pending' AND in_doubt_since IS NOT NULL;
CREATE INDEX notes_created_idx ON notes (created_at);

-- What an alert shows of its transaction: the one column list every query
-- that renders an alert embeds (sqlc.embed), so they cannot drift apart.
CREATE VIEW alert_transactions AS
SELECT t.id, t.amount, t.description, t.balance_after, t.occurred_at, t.reference,
    t.counter_account_name, t.counter_account_number, t.counter_bank_name,
    b.bank_name, b.account_number, b.account_name
FROM transactions t JOIN bank_accounts b ON b.id = t.bank_account_id;

-- +goose Down
DROP VIEW alert_transactions;
DROP TABLE notes;
