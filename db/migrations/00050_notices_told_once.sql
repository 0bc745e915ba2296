-- +goose Up
-- An owner notice marks what it told once it is sent (silence_told_at,
-- summary_on), no longer when maintenance finds it: a planning answer lost
-- on the way then drops nothing, and the notice's workflow id keeps it
-- once meanwhile. The resumed notice's clearing of a silence is keyed by
-- the transaction that ended it, so planning that transaction again finds
-- the same notice.
ALTER TABLE integration_bank_accounts ADD COLUMN silence_ended_by uuid;

-- +goose Down
ALTER TABLE integration_bank_accounts DROP COLUMN silence_ended_by;
