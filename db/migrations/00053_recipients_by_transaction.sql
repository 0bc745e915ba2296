-- +goose Up
-- The same recipients, reached from the transaction: each matching
-- integration's owner and members are read for that integration alone. As
-- two halves of a UNION, the members' half could be planned from every
-- active member of every integration, then the transactions of their bank
-- accounts filtered by id: a cost that grew with the account's history
-- (seen in the benchmark's plans, 3,000 rows filtered per alert).
CREATE OR REPLACE VIEW transaction_recipients AS
SELECT mi.transaction_id, mi.integration_id, r.recipient, r.role
FROM matching_integrations mi
CROSS JOIN LATERAL (
    SELECT za.oa_user_id AS recipient, 'owner'::recipient_role AS role
    FROM zalo_accounts za WHERE za.id = mi.owner_account_id AND za.oa_user_id IS NOT NULL
    UNION ALL
    SELECT im.oa_user_id, 'member'::recipient_role
    FROM integration_members im WHERE im.integration_id = mi.integration_id AND im.removed_at IS NULL
) r;

-- +goose Down
CREATE OR REPLACE VIEW transaction_recipients AS
SELECT mi.transaction_id, mi.integration_id, za.oa_user_id AS recipient, 'owner'::recipient_role AS role
FROM matching_integrations mi JOIN zalo_accounts za ON za.id = mi.owner_account_id
WHERE za.oa_user_id IS NOT NULL
UNION ALL
SELECT mi.transaction_id, mi.integration_id, im.oa_user_id, 'member'::recipient_role
FROM matching_integrations mi JOIN integration_members im ON im.integration_id = mi.integration_id AND im.removed_at IS NULL;
