-- +goose Up
-- The event whose "/invite" added a member, so handling it again (a
-- retried activity) answers the same instead of "already added".
ALTER TABLE integration_members ADD COLUMN invite_event text UNIQUE;

-- Invalid referral codes and the one warning, per sender, for the
-- brute-force guard. event is the Zalo event's dedup key: a retry does not
-- count twice.
CREATE TABLE invite_failures (
    event      text PRIMARY KEY,
    oa_user_id text NOT NULL,
    warning    boolean NOT NULL DEFAULT false,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invite_failures_sender_idx ON invite_failures (oa_user_id, at);

-- +goose Down
DROP TABLE invite_failures;
ALTER TABLE integration_members DROP COLUMN invite_event;
