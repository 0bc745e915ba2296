-- name: IntegrationByReferralCode :one
SELECT i.id, i.workspace_id, i.status, za.oa_user_id AS owner_oa_user_id
FROM integrations i JOIN zalo_accounts za ON za.id = i.owner_account_id
WHERE i.referral_code = upper(@code::text) AND i.status <> 'deleted';

-- name: MemberByInviteEvent :one
SELECT * FROM integration_members WHERE invite_event = @invite_event;

-- name: AddInvitedMember :one
INSERT INTO integration_members (integration_id, oa_user_id, name, invite_event)
VALUES (@integration_id, @oa_user_id, @name, @invite_event)
RETURNING *;

-- InviteGuard counts a sender's invalid codes and warnings in the last hour.
-- name: InviteGuard :one
SELECT count(*) FILTER (WHERE NOT warning) AS failures, count(*) FILTER (WHERE warning) AS warnings
FROM invite_failures WHERE oa_user_id = @oa_user_id AND at > now() - interval '1 hour';

-- name: RecordInviteFailure :exec
INSERT INTO invite_failures (event, oa_user_id, warning) VALUES (@event, @oa_user_id, @warning)
ON CONFLICT (event) DO NOTHING;

-- name: InviteFailureByEvent :one
SELECT * FROM invite_failures WHERE event = @event;

-- name: RemoveMember :one
UPDATE integration_members m SET removed_at = now()
FROM integrations i
WHERE m.id = @id AND m.integration_id = @integration_id AND m.removed_at IS NULL
  AND i.id = m.integration_id AND i.workspace_id = @workspace_id
RETURNING m.id;

-- name: RotateReferralCode :one
UPDATE integrations SET referral_code = @referral_code, updated_at = now()
WHERE workspace_id = @workspace_id AND id = @id AND status <> 'deleted'
RETURNING referral_code;

-- name: IntegrationOwnerOAUserID :one
SELECT za.oa_user_id FROM integrations i JOIN zalo_accounts za ON za.id = i.owner_account_id WHERE i.id = @id;

-- name: PurgeInviteFailures :execrows
DELETE FROM invite_failures WHERE at < @before;
