-- InsertTransaction returns no row when the transaction was recorded before.
-- name: InsertTransaction :one
INSERT INTO transactions (
    workspace_id, bank_account_id, external_id, amount, description, balance_after, occurred_at,
    reference, counter_account_name, counter_account_number, counter_bank_name, raw
) VALUES (
    @workspace_id, @bank_account_id, @external_id, @amount, @description, @balance_after, @occurred_at,
    @reference, @counter_account_name, @counter_account_number, @counter_bank_name, @raw
)
ON CONFLICT (bank_account_id, external_id) DO NOTHING
RETURNING *;

-- name: GetTransactionByExternalID :one
SELECT * FROM transactions WHERE bank_account_id = @bank_account_id AND external_id = @external_id;

-- name: GetTransaction :one
SELECT * FROM transactions WHERE workspace_id = @workspace_id AND id = @id;
