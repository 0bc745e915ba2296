-- SetMutedUntil pauses (or, with NULL, resumes) a user's alerts.
-- name: SetMutedUntil :exec
INSERT INTO zalo_followers (oa_user_id, following, muted_until) VALUES (@oa_user_id, true, sqlc.narg(muted_until))
ON CONFLICT (oa_user_id) DO UPDATE SET muted_until = sqlc.narg(muted_until), updated_at = now();

-- LeaveIntegrations removes a user from every integration they are a
-- member of, for their /dung (event), and returns what they left.
-- name: LeaveIntegrations :many
UPDATE integration_members SET removed_at = now(), removed_event = @event_key
WHERE oa_user_id = @oa_user_id AND removed_at IS NULL
RETURNING integration_id, name;

-- LeftByEvent is what a /dung event removed, for handling it again.
-- name: LeftByEvent :many
SELECT integration_id, name FROM integration_members WHERE removed_event = @event_key ORDER BY integration_id;

-- name: CountOwnedIntegrations :one
SELECT count(*) FROM integrations i JOIN zalo_accounts za ON za.id = i.owner_account_id
WHERE za.oa_user_id = @oa_user_id AND i.status <> 'deleted';

-- RecipientIntegrations lists the active integrations a user receives
-- alerts of, as owner or member, with what they may see.
-- name: RecipientIntegrations :many
SELECT i.id, w.name AS business, i.fields, '{}'::text[] AS hidden_fields,
    array(SELECT b.account_number || CASE WHEN b.bank_name <> '' THEN ' - ' || b.bank_name ELSE '' END
          FROM integration_bank_accounts iba JOIN bank_accounts b ON b.id = iba.bank_account_id
          WHERE iba.integration_id = i.id ORDER BY b.account_number)::text[] AS accounts
FROM integrations i JOIN zalo_accounts za ON za.id = i.owner_account_id JOIN workspaces w ON w.id = i.workspace_id
WHERE za.oa_user_id = @oa_user_id AND i.status = 'active'
UNION ALL
SELECT i.id, w.name, i.fields, m.hidden_fields,
    array(SELECT b.account_number || CASE WHEN b.bank_name <> '' THEN ' - ' || b.bank_name ELSE '' END
          FROM integration_bank_accounts iba JOIN bank_accounts b ON b.id = iba.bank_account_id
          WHERE iba.integration_id = i.id ORDER BY b.account_number)::text[]
FROM integration_members m JOIN integrations i ON i.id = m.integration_id JOIN workspaces w ON w.id = i.workspace_id
WHERE m.oa_user_id = @oa_user_id AND m.removed_at IS NULL AND i.status = 'active'
ORDER BY 2, 1;

-- IntegrationTotals is what an integration alerted of between two times:
-- the transactions it matches (matching_integrations), counted and summed
-- in and out.
-- name: IntegrationTotals :one
SELECT count(*) AS count,
    COALESCE(sum(t.amount) FILTER (WHERE t.amount > 0), 0)::bigint AS total_in,
    COALESCE(sum(t.amount) FILTER (WHERE t.amount < 0), 0)::bigint AS total_out
FROM matching_integrations mi JOIN transactions t ON t.id = mi.transaction_id
WHERE mi.integration_id = @integration_id AND t.occurred_at >= @from_at AND t.occurred_at < @until_at;

-- MemberIntegrations lists the integrations a user is an active member of,
-- with the name they joined under.
-- name: MemberIntegrations :many
SELECT m.integration_id, m.name FROM integration_members m JOIN integrations i ON i.id = m.integration_id
WHERE m.oa_user_id = @oa_user_id AND m.removed_at IS NULL AND i.status <> 'deleted';

-- TellOwnerOnce records that the owner is told of a member's trouble
-- (blocked, unreachable) by the notice @key, and returns the member's name
-- only when the owner had not been told of that trouble since the member
-- was last reached, or was told by this same notice (tried again: its
-- workflow id keeps it once).
-- name: TellOwnerOnce :one
UPDATE integration_members SET owner_told = @trouble, owner_told_key = @key
WHERE integration_id = @integration_id AND oa_user_id = @oa_user_id AND removed_at IS NULL
  AND (owner_told <> @trouble OR owner_told_key = @key)
RETURNING name;

-- PatchMember sets what is given of what a member's alerts leave out,
-- their phone and their quiet hours ('' clears either).
-- name: PatchMember :one
UPDATE integration_members m SET
    hidden_fields = COALESCE(sqlc.narg(hidden_fields)::text[], m.hidden_fields),
    phone = CASE WHEN sqlc.narg(phone)::text IS NULL THEN m.phone ELSE NULLIF(sqlc.narg(phone)::text, '') END,
    quiet_hours = CASE WHEN sqlc.narg(quiet_hours)::text IS NULL THEN m.quiet_hours ELSE NULLIF(sqlc.narg(quiet_hours)::text, '') END
FROM integrations i
WHERE m.id = @id AND m.integration_id = @integration_id AND m.removed_at IS NULL
  AND i.id = m.integration_id AND i.workspace_id = @workspace_id AND i.status <> 'deleted'
RETURNING m.*;

-- TellSilences finds the watched accounts that fell silent and whose owner
-- was not told yet, marks them told, and returns them with their last
-- transaction's time and the hours of silence that tell. An account is
-- silent after its integration's silence_alert_hours, or sooner when a
-- bank feed that fed it fell silent: a webhook source that delivered
-- every day of the week before (no gap over a day) and has now been quiet
-- longer than its longest gap that week (at least an hour).
-- name: TellSilences :many
WITH deliveries AS (
    SELECT t.source_id, t.bank_account_id, t.received_at,
        t.received_at - lag(t.received_at) OVER (PARTITION BY t.source_id ORDER BY t.received_at) AS gap
    FROM webhook_sources s JOIN transactions t ON t.source_id = s.id AND t.via = 'webhook'
    WHERE s.deleted_at IS NULL AND s.last_webhook_at < now() - interval '1 hour'
      AND t.received_at > now() - interval '8 days'
), feeds AS (
    SELECT d.source_id, greatest(max(d.gap), interval '1 hour') AS usual_gap, max(d.received_at) AS last_at,
        array_agg(DISTINCT d.bank_account_id) AS accounts
    FROM deliveries d GROUP BY d.source_id
    HAVING min(d.received_at) < now() - interval '7 days' AND max(d.gap) <= interval '1 day'
), silent_feeds AS (
    SELECT f.usual_gap, f.accounts FROM feeds f JOIN webhook_sources s ON s.id = f.source_id
    WHERE greatest(f.last_at, s.last_webhook_at) < now() - f.usual_gap
), watched AS (
    SELECT iba.integration_id, iba.bank_account_id,
        COALESCE((SELECT max(t.received_at) FROM transactions t WHERE t.bank_account_id = iba.bank_account_id), i.created_at) AS since,
        least(CASE WHEN i.silence_alert_hours > 0 THEN make_interval(hours => i.silence_alert_hours) END,
              (SELECT min(f.usual_gap) FROM silent_feeds f WHERE iba.bank_account_id = ANY(f.accounts))) AS quiet
    FROM integration_bank_accounts iba JOIN integrations i ON i.id = iba.integration_id
    WHERE i.status = 'active' AND iba.silence_told_at IS NULL
)
UPDATE integration_bank_accounts iba SET silence_told_at = now()
FROM watched w, bank_accounts b
WHERE iba.integration_id = w.integration_id AND iba.bank_account_id = w.bank_account_id
  AND b.id = w.bank_account_id AND w.since < now() - w.quiet
RETURNING iba.integration_id, b.account_number, w.since::timestamptz AS since,
    ceil(extract(epoch FROM w.quiet) / 3600)::int AS hours;

-- EndSilences clears the silence of the transaction's account for the
-- integrations it was told to, and returns them with when they were told.
-- name: EndSilences :many
UPDATE integration_bank_accounts iba SET silence_told_at = NULL
FROM transactions t, bank_accounts b
WHERE t.id = @transaction_id AND iba.bank_account_id = t.bank_account_id AND b.id = t.bank_account_id
  AND iba.silence_told_at IS NOT NULL
RETURNING iba.integration_id, b.account_number, iba.silence_told_at AS told_at;

-- PlanSummaries picks the integrations whose daily summary falls due
-- before @until and were not planned for that day yet, marks that day
-- planned, and returns when each is due (Vietnam time, @today's date).
-- name: PlanSummaries :many
WITH due AS (
    SELECT d.id, timezone('Asia/Ho_Chi_Minh', sqlc.arg(today)::date + d.daily_summary_at::time) AS due_at
    FROM integrations d
    WHERE d.status = 'active' AND d.daily_summary_at <> '' AND (d.summary_on IS NULL OR d.summary_on < sqlc.arg(today)::date)
)
UPDATE integrations i SET summary_on = sqlc.arg(today)::date
FROM due WHERE i.id = due.id AND due.due_at < sqlc.arg(until)::timestamptz
RETURNING i.id, due.due_at::timestamptz AS due_at;
