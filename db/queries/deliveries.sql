-- PlanDeliveries creates a pending delivery for every recipient of every
-- active integration that wants this transaction, and returns every
-- delivery of it still pending (those it made, and those an earlier run
-- made: re-running it adds only what is missing, so the activity calling
-- it can be retried), the owners' first.
-- name: PlanDeliveries :many
WITH matching AS (
    SELECT mi.integration_id AS id, mi.owner_account_id FROM matching_integrations mi WHERE mi.transaction_id = @transaction_id
), recipients AS (
    SELECT m.id AS integration_id, za.oa_user_id AS recipient, 'owner'::recipient_role AS role
    FROM matching m JOIN zalo_accounts za ON za.id = m.owner_account_id
    WHERE za.oa_user_id IS NOT NULL
    UNION ALL
    SELECT m.id, im.oa_user_id, 'member'::recipient_role
    FROM matching m JOIN integration_members im ON im.integration_id = m.id AND im.removed_at IS NULL
), planned AS (
    INSERT INTO deliveries (transaction_id, integration_id, recipient, role)
    SELECT @transaction_id, integration_id, recipient, role FROM recipients
    ON CONFLICT (transaction_id, integration_id, recipient) DO NOTHING
    RETURNING id, role, created_at
), open AS (
    SELECT p.id, p.role, p.created_at FROM planned p
    UNION ALL -- planned rows are not in this statement's snapshot of deliveries
    SELECT d.id, d.role, d.created_at FROM deliveries d WHERE d.transaction_id = @transaction_id AND d.status = 'pending'
)
SELECT id FROM open ORDER BY role, created_at, id;

-- StartDeliveryAttempts counts an attempt of each delivery (in @ids'
-- order) and returns what each send needs,
-- including whether the recipient is still wanted (a member removed or an
-- integration paused after planning gets nothing) and still follows. It
-- marks the delivery in doubt from now until the outcome is known (written
-- before the send, so a worker killed mid-send leaves it), and says
-- whether an earlier attempt left it so (doubted: in_doubt_since is older
-- than this statement).
-- name: StartDeliveryAttempts :many
WITH d AS (
    UPDATE deliveries x SET attempts = x.attempts + 1, updated_at = now(),
        in_doubt_since = CASE WHEN x.status = 'pending' THEN COALESCE(x.in_doubt_since, now()) END
    WHERE x.id = ANY(@ids::uuid[])
    RETURNING x.id, x.integration_id, x.transaction_id, x.status, x.recipient, x.role, x.zalo_message_id, x.route, x.deferred_until, x.in_doubt_since
)
SELECT d.id, d.integration_id, d.status, d.recipient, d.role, d.zalo_message_id, d.route, d.deferred_until, d.in_doubt_since,
    COALESCE(d.in_doubt_since < now(), false)::boolean AS doubted,
    i.fields, i.message_kind, i.template_id, i.status AS integration_status,
    (d.role = 'owner' OR m.id IS NOT NULL)::boolean AS still_member,
    -- Unknown to the follower table: let Zalo decide.
    COALESCE(f.following, true)::boolean AS following,
    f.last_interaction_at, f.cs_refused_at,
    -- Neither a webhook nor user/detail has told us when they last
    -- interacted, and user/detail was not asked today.
    COALESCE(f.last_interaction_at IS NULL AND (f.interaction_checked_at IS NULL OR f.interaction_checked_at < now() - interval '1 day'), true)::boolean AS ask_interaction,
    f.muted_until,
    -- What a member's alerts leave out (the owner's leave out nothing).
    COALESCE(CASE WHEN d.role = 'member' THEN m.hidden_fields END, '{}')::text[] AS hidden_fields,
    -- The trouble this delivery told the owner of ('' none).
    COALESCE(CASE WHEN m.owner_told_key = d.id::text THEN m.owner_told END, '')::text AS told_owner,
    t.amount, t.description, t.balance_after, t.occurred_at, t.reference,
    t.counter_account_name, t.counter_account_number, t.counter_bank_name, t.sub_account, t.payment_code,
    b.bank_name, b.account_number, b.account_name
FROM d
JOIN integrations i ON i.id = d.integration_id
JOIN transactions t ON t.id = d.transaction_id
JOIN bank_accounts b ON b.id = t.bank_account_id
LEFT JOIN zalo_followers f ON f.oa_user_id = d.recipient
LEFT JOIN integration_members m ON m.integration_id = d.integration_id AND m.oa_user_id = d.recipient AND m.removed_at IS NULL
ORDER BY array_position(@ids::uuid[], d.id);

-- FinishDeliveries records final outcomes (or holds for the night), one
-- per element of the arrays, and returns when each changed delivery's
-- transaction arrived; a delivery already sent is never changed (no row).
-- An empty route or a zero deferred_until leaves the column as it was. A
-- message that reached a member ends the trouble their owner was told of.
-- name: FinishDeliveries :many
WITH u AS (
    SELECT o.id, (@statuses::text[])[o.n] AS status, (@message_ids::text[])[o.n] AS message_id,
        (@last_errors::text[])[o.n] AS last_error, (@routes::text[])[o.n] AS route,
        (@deferred_until::timestamptz[])[o.n] AS deferred_until
    FROM unnest(@ids::uuid[]) WITH ORDINALITY AS o (id, n)
), reached AS (
    UPDATE integration_members m SET owner_told = ''
    FROM u, deliveries r
    WHERE u.status = 'sent' AND r.id = u.id AND r.role = 'member'
      AND m.integration_id = r.integration_id AND m.oa_user_id = r.recipient AND m.removed_at IS NULL AND m.owner_told <> ''
)
UPDATE deliveries d SET
    status = u.status::delivery_status, zalo_message_id = u.message_id, last_error = u.last_error,
    updated_at = now(), in_doubt_since = NULL,
    route = COALESCE(NULLIF(u.route, '')::delivery_route, d.route),
    deferred_until = COALESCE(NULLIF(u.deferred_until, '0001-01-01 00:00:00+00'::timestamptz), d.deferred_until),
    sent_at = CASE WHEN u.status = 'sent' THEN now() ELSE d.sent_at END
FROM u, transactions t
WHERE d.id = u.id AND d.status <> 'sent' AND t.id = d.transaction_id
RETURNING d.id, t.received_at;

-- RecordDeliveryError keeps the delivery log honest while Temporal
-- retries. settled: the attempt is known not to have delivered (Zalo
-- refused it, or it never left), so the delivery is no longer in doubt.
-- name: RecordDeliveryError :exec
UPDATE deliveries SET last_error = @last_error, updated_at = now(),
    route = COALESCE(sqlc.narg(route)::delivery_route, route),
    in_doubt_since = CASE WHEN @settled::boolean THEN NULL ELSE in_doubt_since END
WHERE id = @id AND status = 'pending';

-- InDoubtToward lists a person's deliveries left in doubt since before
-- @before, oldest first, with the columns of StartDeliveryAttempts in the
-- same order (so its rows convert to that row type): one read of their
-- conversation settles them all.
-- name: InDoubtToward :many
SELECT d.id, d.integration_id, d.status, d.recipient, d.role, d.zalo_message_id, d.route, d.deferred_until, d.in_doubt_since, true AS doubted,
    i.fields, i.message_kind, i.template_id, i.status AS integration_status,
    true AS still_member, true AS following,
    NULL::timestamptz AS last_interaction_at, NULL::timestamptz AS cs_refused_at, false AS ask_interaction, NULL::timestamptz AS muted_until,
    COALESCE((SELECT m.hidden_fields FROM integration_members m
        WHERE d.role = 'member' AND m.integration_id = d.integration_id AND m.oa_user_id = d.recipient AND m.removed_at IS NULL), '{}')::text[] AS hidden_fields,
    ''::text AS told_owner,
    t.amount, t.description, t.balance_after, t.occurred_at, t.reference,
    t.counter_account_name, t.counter_account_number, t.counter_bank_name, t.sub_account, t.payment_code,
    b.bank_name, b.account_number, b.account_name
FROM deliveries d
JOIN integrations i ON i.id = d.integration_id
JOIN transactions t ON t.id = d.transaction_id
JOIN bank_accounts b ON b.id = t.bank_account_id
WHERE d.recipient = @recipient AND d.status = 'pending' AND d.in_doubt_since < @before::timestamptz
ORDER BY d.in_doubt_since;

-- CountSentAfter counts the messages recorded as sent to a person after a
-- time: messages Zalo lists before any older one in their conversation.
-- name: CountSentAfter :one
SELECT count(*) FROM deliveries WHERE recipient = @recipient AND status = 'sent' AND sent_at > @after::timestamptz;

-- name: ListTransactionDeliveries :many
SELECT * FROM deliveries WHERE transaction_id = @transaction_id ORDER BY created_at, id;

-- name: ListIntegrationDeliveries :many
SELECT d.id, d.transaction_id, d.recipient, d.role, d.status, d.attempts, d.zalo_message_id, d.last_error,
    d.created_at, d.sent_at, d.route, d.deferred_until, t.amount, t.occurred_at, t.external_id
FROM deliveries d
JOIN integrations i ON i.id = d.integration_id
JOIN transactions t ON t.id = d.transaction_id
WHERE d.integration_id = @integration_id AND i.workspace_id = @workspace_id
  AND (sqlc.narg(before)::timestamptz IS NULL OR d.created_at < sqlc.narg(before)::timestamptz)
ORDER BY d.created_at DESC, d.id DESC
LIMIT @max_rows;

-- RequestRedelivery puts a failed or skipped delivery back to pending for
-- the owner's "send again"; no row when it is neither (or not theirs).
-- name: RequestRedelivery :one
UPDATE deliveries d SET status = 'pending', last_error = '', in_doubt_since = NULL, updated_at = now()
FROM integrations i
WHERE d.id = @id AND d.integration_id = @integration_id AND i.id = d.integration_id
  AND i.workspace_id = @workspace_id AND d.status IN ('failed', 'skipped')
RETURNING d.id;

-- name: GetIntegrationDelivery :one
SELECT d.id, d.status FROM deliveries d JOIN integrations i ON i.id = d.integration_id
WHERE d.id = @id AND d.integration_id = @integration_id AND i.workspace_id = @workspace_id;

-- TakeDoubtReading takes, for @seconds, the right to read a person's
-- conversation to settle their doubts; false while another has it.
-- name: TakeDoubtReading :one
WITH taken AS (
    INSERT INTO doubt_readers AS r (recipient, until) VALUES (@recipient, now() + make_interval(secs => @seconds::float8))
    ON CONFLICT (recipient) DO UPDATE SET until = EXCLUDED.until WHERE r.until < now()
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM taken)::boolean;

-- name: EndDoubtReading :exec
DELETE FROM doubt_readers WHERE recipient = @recipient;

-- CreateDigest makes a recipient's morning message once (its id comes
-- from the workflow run that sends it).
-- name: CreateDigest :exec
INSERT INTO digests (id, recipient, due_at) VALUES (@id, @recipient, @due_at) ON CONFLICT (id) DO NOTHING;

-- HoldForDigest puts the recipient's alerts held until @due_at or before,
-- and not yet in a morning message, in this one.
-- name: HoldForDigest :exec
UPDATE deliveries SET digest_id = @digest_id, updated_at = now()
WHERE recipient = @recipient AND status = 'deferred' AND deferred_until <= @due_at::timestamptz AND digest_id IS NULL;

-- DigestDeliveries is what a morning message holds, with whether each is
-- still wanted (see StartDeliveryAttempts).
-- name: DigestDeliveries :many
SELECT d.id, i.fields, i.status AS integration_status,
    (d.role = 'owner' OR EXISTS (
        SELECT 1 FROM integration_members m
        WHERE m.integration_id = d.integration_id AND m.oa_user_id = d.recipient AND m.removed_at IS NULL
    ))::boolean AS still_member,
    COALESCE((SELECT m.hidden_fields FROM integration_members m
        WHERE d.role = 'member' AND m.integration_id = d.integration_id AND m.oa_user_id = d.recipient AND m.removed_at IS NULL), '{}')::text[] AS hidden_fields,
    COALESCE((SELECT f.muted_until > now() FROM zalo_followers f WHERE f.oa_user_id = d.recipient), false)::boolean AS muted,
    t.amount, t.description, t.balance_after, t.occurred_at, t.reference,
    t.counter_account_name, t.counter_account_number, t.counter_bank_name,
    b.bank_name, b.account_number, b.account_name
FROM deliveries d
JOIN integrations i ON i.id = d.integration_id
JOIN transactions t ON t.id = d.transaction_id
JOIN bank_accounts b ON b.id = t.bank_account_id
WHERE d.digest_id = @digest_id AND d.status = 'deferred'
ORDER BY t.occurred_at, t.received_at, d.id;

-- SetDigestCard decides a morning message's card once: a retry finds it
-- decided.
-- name: SetDigestCard :exec
UPDATE digests SET card = COALESCE(card, @card::jsonb) WHERE id = @id;

-- ReleaseDigest gives a morning message's alerts back to be sent one by
-- one (no route carries a morning message to the recipient any more).
-- name: ReleaseDigest :many
WITH released AS (
    UPDATE deliveries SET status = 'pending', digest_id = NULL, updated_at = now()
    WHERE digest_id = @id AND status = 'deferred'
    RETURNING id
), closed AS (
    UPDATE digests SET status = 'skipped', in_doubt_since = NULL WHERE id = @id AND status = 'pending'
)
SELECT id FROM released;

-- StartDigestAttempt is StartDeliveryAttempts for a morning message.
-- name: StartDigestAttempt :one
UPDATE digests SET attempts = attempts + 1,
    in_doubt_since = CASE WHEN status = 'pending' THEN COALESCE(in_doubt_since, now()) END
WHERE id = @id
RETURNING id, recipient, card, route, status, zalo_message_id, in_doubt_since,
    COALESCE(in_doubt_since < now(), false)::boolean AS doubted;

-- FinishDigest records a morning message's outcome, and the same for every
-- alert in it; it returns when each alert's transaction arrived, and
-- nothing for a message recorded as sent before.
-- name: FinishDigest :many
WITH digest AS (
    UPDATE digests g SET status = @status, zalo_message_id = @zalo_message_id, route = @route::delivery_route,
        last_error = @last_error, in_doubt_since = NULL,
        sent_at = CASE WHEN @status::delivery_status = 'sent' THEN now() END
    WHERE g.id = @id AND g.status <> 'sent'
    RETURNING g.id
)
UPDATE deliveries d SET status = @status, zalo_message_id = @zalo_message_id, route = @route::delivery_route,
    last_error = @last_error, updated_at = now(), in_doubt_since = NULL,
    sent_at = CASE WHEN @status::delivery_status = 'sent' THEN now() END
FROM digest, transactions t
WHERE d.digest_id = digest.id AND d.status = 'deferred' AND t.id = d.transaction_id
RETURNING t.received_at;

-- name: RecordDigestError :exec
UPDATE digests SET last_error = @last_error,
    in_doubt_since = CASE WHEN @settled::boolean THEN NULL ELSE in_doubt_since END
WHERE id = @id AND status = 'pending';

-- ReserveSend takes the next free slot of the OA-wide send budget (one
-- every @interval seconds, for every worker) and says how many seconds
-- from now it is.
-- name: ReserveSend :one
INSERT INTO send_budget AS b (next_at) VALUES (clock_timestamp() + make_interval(secs => @interval::float8))
ON CONFLICT (id) DO UPDATE SET next_at = GREATEST(b.next_at, clock_timestamp()) + make_interval(secs => @interval::float8)
RETURNING GREATEST(EXTRACT(EPOCH FROM b.next_at - clock_timestamp())::float8 - @interval::float8, 0)::float8 AS wait_seconds;

-- ReturnSend gives back a slot ReserveSend took and that will not be used.
-- name: ReturnSend :exec
UPDATE send_budget SET next_at = next_at - make_interval(secs => @interval::float8);

-- PauseSends holds every worker's sends for @seconds: Zalo said -32.
-- name: PauseSends :exec
INSERT INTO send_budget AS b (next_at) VALUES (clock_timestamp() + make_interval(secs => @seconds::float8))
ON CONFLICT (id) DO UPDATE SET next_at = GREATEST(b.next_at, clock_timestamp() + make_interval(secs => @seconds::float8));

-- LateMornings lists the nights whose held alerts are still held a while
-- after they ended: their morning message is overdue.
-- name: LateMornings :many
SELECT DISTINCT recipient, deferred_until::timestamptz AS deferred_until FROM deliveries
WHERE status = 'deferred' AND digest_id IS NULL AND deferred_until < now() - make_interval(secs => @grace::float8)
ORDER BY deferred_until, recipient
LIMIT 500;
