-- name: UpsertZaloAccount :one
INSERT INTO zalo_accounts (workspace_id, app_user_id, oa_user_id, name)
VALUES (@workspace_id, @app_user_id, @oa_user_id, @name)
ON CONFLICT (workspace_id, app_user_id) DO UPDATE SET oa_user_id = EXCLUDED.oa_user_id, name = EXCLUDED.name
RETURNING *;

-- CreateIntegration makes an integration. A wizard saves once: saving the
-- same wizard again returns the integration it made, with inserted false
-- (see RecordTransaction).
-- name: CreateIntegration :one
INSERT INTO integrations (workspace_id, owner_account_id, direction, min_amount, fields, message_kind, template_id, referral_code, wizard_id)
VALUES (@workspace_id, @owner_account_id, @direction, @min_amount, @fields, @message_kind, @template_id, @referral_code, sqlc.narg(wizard_id))
ON CONFLICT (wizard_id) DO UPDATE SET wizard_id = EXCLUDED.wizard_id
RETURNING id, referral_code, (xmax = 0)::boolean AS inserted;

-- name: AddIntegrationBankAccount :exec
INSERT INTO integration_bank_accounts (integration_id, bank_account_id) VALUES (@integration_id, @bank_account_id)
ON CONFLICT DO NOTHING;

-- name: ListIntegrations :many
SELECT * FROM integrations WHERE workspace_id = @workspace_id AND status <> 'deleted' ORDER BY created_at, id;

-- name: AddIntegrationMember :one
INSERT INTO integration_members (integration_id, oa_user_id, name) VALUES (@integration_id, @oa_user_id, @name)
RETURNING *;

-- name: ListZaloAccounts :many
SELECT za.id, za.app_user_id, za.oa_user_id, za.name, COALESCE(f.following, false)::boolean AS follows_oa
FROM zalo_accounts za LEFT JOIN zalo_followers f ON f.oa_user_id = za.oa_user_id
WHERE za.workspace_id = @workspace_id
ORDER BY za.created_at, za.id;

-- name: GetZaloAccount :one
SELECT za.id, za.app_user_id, za.oa_user_id, za.name, COALESCE(f.following, false)::boolean AS follows_oa
FROM zalo_accounts za LEFT JOIN zalo_followers f ON f.oa_user_id = za.oa_user_id
WHERE za.workspace_id = @workspace_id AND za.id = @id;

-- name: FollowerByAppID :one
SELECT * FROM zalo_followers WHERE app_user_id = @app_user_id;

-- name: GetIntegration :one
SELECT i.*, za.name AS owner_name, za.oa_user_id AS owner_oa_user_id
FROM integrations i JOIN zalo_accounts za ON za.id = i.owner_account_id
WHERE i.workspace_id = @workspace_id AND i.id = @id AND i.status <> 'deleted';

-- name: ListIntegrationBankAccountIDs :many
SELECT bank_account_id FROM integration_bank_accounts WHERE integration_id = @integration_id ORDER BY bank_account_id;

-- name: ListIntegrationMembers :many
SELECT * FROM integration_members WHERE integration_id = @integration_id AND removed_at IS NULL ORDER BY added_at, id;

-- UpdateIntegration changes what is given and leaves the rest.
-- name: UpdateIntegration :one
UPDATE integrations SET
    status = COALESCE(sqlc.narg(status)::integration_status, status),
    message_kind = COALESCE(sqlc.narg(message_kind)::message_kind, message_kind),
    template_id = COALESCE(sqlc.narg(template_id)::text, template_id),
    template_params = COALESCE(sqlc.narg(template_params)::jsonb, template_params),
    owner_phone = CASE WHEN sqlc.narg(owner_phone)::text IS NULL THEN owner_phone ELSE NULLIF(sqlc.narg(owner_phone)::text, '') END,
    owner_quiet_hours = CASE WHEN sqlc.narg(owner_quiet_hours)::text IS NULL THEN owner_quiet_hours ELSE NULLIF(sqlc.narg(owner_quiet_hours)::text, '') END,
    silence_alert_hours = COALESCE(sqlc.narg(silence_alert_hours)::integer, silence_alert_hours),
    daily_summary_at = COALESCE(sqlc.narg(daily_summary_at)::text, daily_summary_at),
    -- A summary time moved later today may still be due today.
    summary_on = CASE WHEN sqlc.narg(daily_summary_at)::text IS NOT NULL THEN NULL ELSE summary_on END,
    updated_at = now()
WHERE workspace_id = @workspace_id AND id = @id AND status <> 'deleted'
RETURNING id;

-- name: CountWorkspaceBankAccounts :one
SELECT count(*) FROM bank_accounts WHERE workspace_id = @workspace_id AND id = ANY(@ids::uuid[]);

-- name: IntegrationOwnerAndBusiness :one
SELECT za.oa_user_id, w.name AS business
FROM integrations i JOIN zalo_accounts za ON za.id = i.owner_account_id JOIN workspaces w ON w.id = i.workspace_id
WHERE i.id = @id;

-- SetIntegrationTemplate gives an integration its template (for seeding:
-- the API checks it first, in UpdateIntegration).
-- name: SetIntegrationTemplate :one
UPDATE integrations SET template_id = @template_id, template_params = @template_params, updated_at = now()
WHERE id = @id RETURNING id;
