-- +goose Up
-- What a member does not want in their alerts (and /homnay answers): any
-- field but amount. The owner sees what the integration shows.
ALTER TABLE integration_members ADD COLUMN hidden_fields text[] NOT NULL DEFAULT '{}';
-- The trouble the owner was last told of about this member (blocked,
-- unreachable; '' none), so they are told once per trouble; a message that
-- reaches the member clears it.
ALTER TABLE integration_members ADD COLUMN owner_told text NOT NULL DEFAULT '';
-- Which /dung (stop) event removed the member, so handling it again
-- answers the same.
ALTER TABLE integration_members ADD COLUMN removed_event text;

-- /tamdung: the user's alerts are skipped ("muted") until then.
ALTER TABLE zalo_followers ADD COLUMN muted_until timestamptz;

-- Owner alerts: silence after silence_alert_hours without a transaction on
-- a watched account (0: off), told once per silence and account
-- (integration_bank_accounts.silence_told_at, cleared by the account's next
-- transaction, which tells that they resumed); a daily summary at
-- daily_summary_at (HH:MM, Vietnam time; '' off), last planned for the day
-- summary_on.
ALTER TABLE integrations
    ADD COLUMN silence_alert_hours integer NOT NULL DEFAULT 0 CHECK (silence_alert_hours BETWEEN 0 AND 720),
    ADD COLUMN daily_summary_at text NOT NULL DEFAULT '' CHECK (daily_summary_at = '' OR daily_summary_at ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
    ADD COLUMN summary_on date;
ALTER TABLE integration_bank_accounts ADD COLUMN silence_told_at timestamptz;
-- An account's latest transaction, for silences; and a day's transactions,
-- for /homnay and the daily summary.
CREATE INDEX transactions_account_occurred_idx ON transactions (bank_account_id, occurred_at);
CREATE INDEX transactions_account_received_idx ON transactions (bank_account_id, received_at);

-- +goose Down
DROP INDEX transactions_account_received_idx;
DROP INDEX transactions_account_occurred_idx;
ALTER TABLE integration_bank_accounts DROP COLUMN silence_told_at;
ALTER TABLE integrations DROP COLUMN summary_on, DROP COLUMN daily_summary_at, DROP COLUMN silence_alert_hours;
ALTER TABLE zalo_followers DROP COLUMN muted_until;
ALTER TABLE integration_members DROP COLUMN removed_event, DROP COLUMN owner_told, DROP COLUMN hidden_fields;
