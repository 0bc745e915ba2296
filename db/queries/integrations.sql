-- name: UpsertZaloAccount :one
INSERT INTO zalo_accounts (workspace_id, app_user_id, oa_user_id, name)
VALUES (@workspace_id, @app_user_id, @oa_user_id, @name)
ON CONFLICT (workspace_id, app_user_id) DO UPDATE SET oa_user_id = EXCLUDED.oa_user_id, name = EXCLUDED.name
RETURNING *;

-- name: CreateIntegration :one
INSERT INTO integrations (workspace_id, owner_account_id, direction, min_amount, fields, message_kind, template_id, referral_code)
VALUES (@workspace_id, @owner_account_id, @direction, @min_amount, @fields, @message_kind, @template_id, @referral_code)
RETURNING *;

-- name: AddIntegrationBankAccount :exec
INSERT INTO integration_bank_accounts (integration_id, bank_account_id) VALUES (@integration_id, @bank_account_id)
ON CONFLICT DO NOTHING;

-- name: ListIntegrations :many
SELECT * FROM integrations WHERE workspace_id = @workspace_id AND status <> 'deleted' ORDER BY created_at, id;

-- name: AddIntegrationMember :one
INSERT INTO integration_members (integration_id, oa_user_id, name) VALUES (@integration_id, @oa_user_id, @name)
RETURNING *;
