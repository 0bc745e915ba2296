-- +goose Up
-- Which notice told the owner of the member's trouble (the delivery or the
-- event it came from): the same one, tried again after a crash, tells
-- again, and the notice's workflow id keeps it once.
ALTER TABLE integration_members ADD COLUMN owner_told_key text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE integration_members DROP COLUMN owner_told_key;
