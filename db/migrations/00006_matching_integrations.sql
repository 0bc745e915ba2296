-- +goose Up
-- Which active integrations want which transaction: one definition, read by
-- the planner (who gets a message) and by the API (the workflow's
-- IntegrationId search attribute, set when it starts).
CREATE VIEW matching_integrations AS
SELECT t.id AS transaction_id, i.id AS integration_id, i.owner_account_id
FROM transactions t
JOIN integration_bank_accounts iba ON iba.bank_account_id = t.bank_account_id
JOIN integrations i ON i.id = iba.integration_id AND i.workspace_id = t.workspace_id
WHERE i.status = 'active'
  AND (i.direction = 'both' OR (i.direction = 'in' AND t.amount > 0) OR (i.direction = 'out' AND t.amount < 0))
  AND abs(t.amount) >= i.min_amount;

-- +goose Down
DROP VIEW matching_integrations;
