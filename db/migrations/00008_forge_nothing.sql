-- +goose Up
-- A Zalo login is bound to the browser that began it: the SHA-256 of a
-- random value kept in that browser's cookie. The code Zalo sends back is
-- kept here, sealed, rather than passed through workflow history.
ALTER TABLE oauth_logins ADD COLUMN browser_hash bytea;
ALTER TABLE oauth_logins ADD COLUMN code bytea;

-- The invite guard, counted atomically: one row per sender, whose counter
-- one statement bumps (the row's lock orders a sender's concurrent tries).
-- failures counts invalid codes, and any try while locked out, since
-- window_start; the window lasts an hour.
CREATE TABLE invite_guards (
    oa_user_id   text PRIMARY KEY,
    window_start timestamptz NOT NULL DEFAULT now(),
    failures     integer NOT NULL DEFAULT 0
);
-- What an invite's answer was, so a retried activity answers the same.
ALTER TABLE invite_failures ADD COLUMN silent boolean NOT NULL DEFAULT false;

-- When the OA last answered a sender's malformed command: such answers
-- are throttled per sender, so nobody can make the OA spam.
CREATE TABLE reply_throttle (
    oa_user_id text PRIMARY KEY,
    last_at    timestamptz NOT NULL
);

-- +goose Down
DROP TABLE reply_throttle;
ALTER TABLE invite_failures DROP COLUMN silent;
DROP TABLE invite_guards;
ALTER TABLE oauth_logins DROP COLUMN code;
ALTER TABLE oauth_logins DROP COLUMN browser_hash;
