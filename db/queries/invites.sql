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

-- CountInviteFailure counts an invalid code for a sender, in one statement
-- (a sender's concurrent tries queue on the row's lock, each seeing the
-- count the one before left), and returns their failures in the hour's
-- window, this one included.
-- name: CountInviteFailure :one
INSERT INTO invite_guards AS g (oa_user_id, window_start, failures) VALUES (@oa_user_id, now(), 1)
ON CONFLICT (oa_user_id) DO UPDATE SET
    window_start = CASE WHEN g.window_start <= now() - interval '1 hour' THEN now() ELSE g.window_start END,
    failures = CASE WHEN g.window_start <= now() - interval '1 hour' THEN 1 ELSE g.failures + 1 END
RETURNING failures;

-- CountLockedOutTry counts a try by a sender who is locked out (the limit
-- reached within the hour's window), in one statement, and returns their
-- failures with it; no row when they are not locked out.
-- name: CountLockedOutTry :one
UPDATE invite_guards SET failures = failures + 1
WHERE oa_user_id = @oa_user_id AND window_start > now() - interval '1 hour' AND failures >= @limit_tries::integer
RETURNING failures;

-- name: RecordInviteFailure :exec
INSERT INTO invite_failures (event, oa_user_id, warning, silent) VALUES (@event, @oa_user_id, @warning, @silent)
ON CONFLICT (event) DO NOTHING;

-- name: InviteFailureByEvent :one
SELECT * FROM invite_failures WHERE event = @event;

-- name: RemoveMember :one
UPDATE integration_members m SET removed_at = now()
FROM integrations i
WHERE m.id = @id AND m.integration_id = @integration_id AND m.removed_at IS NULL
  AND i.id = m.integration_id AND i.workspace_id = @workspace_id
RETURNING m.name;

-- name: RotateReferralCode :one
UPDATE integrations SET referral_code = @referral_code, updated_at = now()
WHERE workspace_id = @workspace_id AND id = @id AND status <> 'deleted'
RETURNING referral_code;

-- name: IntegrationOwnerOAUserID :one
SELECT za.oa_user_id FROM integrations i JOIN zalo_accounts za ON za.id = i.owner_account_id WHERE i.id = @id;

-- name: PurgeInviteFailures :execrows
DELETE FROM invite_failures WHERE at < @before;
