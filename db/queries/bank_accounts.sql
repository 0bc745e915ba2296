-- name: CreateBankAccount :one
INSERT INTO bank_accounts (workspace_id, bank_code, bank_name, account_number, account_name)
VALUES (@workspace_id, @bank_code, @bank_name, @account_number, @account_name)
RETURNING *;

-- name: ListBankAccounts :many
SELECT * FROM bank_accounts WHERE workspace_id = @workspace_id ORDER BY created_at, id;

-- name: GetBankAccount :one
SELECT * FROM bank_accounts WHERE workspace_id = @workspace_id AND id = @id;

-- name: GetBankAccountByNumber :one
SELECT * FROM bank_accounts WHERE workspace_id = @workspace_id AND account_number = @account_number;

-- EnsureBankAccount registers an account a bank webhook names, or returns
-- the one registered.
-- name: EnsureBankAccount :one
INSERT INTO bank_accounts (workspace_id, bank_code, bank_name, account_number)
VALUES (@workspace_id, @bank_code, @bank_name, @account_number)
ON CONFLICT (workspace_id, account_number) DO UPDATE SET account_number = EXCLUDED.account_number
RETURNING *;
