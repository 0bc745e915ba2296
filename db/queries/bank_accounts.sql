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
