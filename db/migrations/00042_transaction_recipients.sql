-- +goose Up
-- Who is to get which transaction's alert: every matching integration's
-- owner and its members. One definition for planning a backlog's
-- deliveries (PlanDeliveries) and for planning and starting a fresh
-- transaction's in one statement (StartDeliveries); filtered by
-- transaction, PostgreSQL pushes the filter into both halves.
CREATE VIEW transaction_recipients AS
SELECT mi.transaction_id, mi.integration_id, za.oa_user_id AS recipient, 'owner'::recipient_role AS role
FROM matching_integrations mi JOIN zalo_accounts za ON za.id = mi.owner_account_id
WHERE za.oa_user_id IS NOT NULL
UNION ALL
SELECT mi.transaction_id, mi.integration_id, im.oa_user_id, 'member'::recipient_role
FROM matching_integrations mi JOIN integration_members im ON im.integration_id = mi.integration_id AND im.removed_at IS NULL;

-- +goose Down
DROP VIEW transaction_recipients;
