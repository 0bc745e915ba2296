-- +goose Up
-- The delivery log pages by (created_at, id): every delivery of one
-- transaction shares its created_at, and the id orders them.
CREATE INDEX deliveries_integration_keyset_idx ON deliveries (integration_id, created_at DESC, id DESC);
DROP INDEX deliveries_integration_created_idx;

-- +goose Down
CREATE INDEX deliveries_integration_created_idx ON deliveries (integration_id, created_at DESC);
DROP INDEX deliveries_integration_keyset_idx;
