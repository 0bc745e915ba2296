-- +goose Up
-- Each Zalo user of the OA gets a row id of ours, which names their
-- morning message's workflow (morning:<id>:<end of the night>): Temporal
-- keeps workflow ids in plain text, and the Zalo user id they carried is
-- the person's.
ALTER TABLE zalo_followers ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
CREATE UNIQUE INDEX zalo_followers_id_idx ON zalo_followers (id);

-- +goose Down
DROP INDEX zalo_followers_id_idx;
ALTER TABLE zalo_followers DROP COLUMN id;
