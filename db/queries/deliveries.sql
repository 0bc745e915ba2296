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
    i.fields, i.status AS integration_status,
    -- The integration's template, as Zalo last described it ('' none).
    i.template_id, i.template_params, COALESCE(zt.status, '')::text AS template_status, COALESCE(zt.tag, '')::text AS template_tag,
    COALESCE(zt.quality, '')::text AS template_quality, COALESCE(zt.sendable_by_uid, false)::boolean AS template_by_uid,
    COALESCE(zt.params, '[]')::jsonb AS template_param_specs,
    COALESCE(zt.price_uid, 0)::bigint AS price_uid, COALESCE(zt.price_sdt, 0)::bigint AS price_sdt,
    -- The recipient's phone and quiet hours: a member's, or the owner's.
    COALESCE(CASE WHEN d.role = 'member' THEN m.phone ELSE i.owner_phone END, '')::text AS phone,
    COALESCE(CASE WHEN d.role = 'member' THEN m.quiet_hours ELSE i.owner_quiet_hours END, '')::text AS quiet_hours,
    (d.role = 'owner' OR m.id IS NOT NULL)::boolean AS still_member,
    -- Unknown to the follower table: let Zalo decide.
    COALESCE(f.following, true)::boolean AS following,
    f.last_interaction_at, f.cs_refused_at,
    -- What we believe closes the chat window (nothing known, or nothing
    -- within it) may be stale, and Zalo was not asked today: ask it.
    COALESCE((f.last_interaction_at IS NULL OR f.last_interaction_at < now() - make_interval(secs => @cs_window_seconds::float8))
        AND (f.interaction_checked_at IS NULL OR f.interaction_checked_at < now() - interval '1 day'), true)::boolean AS ask_interaction,
    f.muted_until,
    -- What a member's alerts leave out (the owner's leave out nothing).
    COALESCE(CASE WHEN d.role = 'member' THEN m.hidden_fields END, '{}')::text[] AS hidden_fields,
    -- The trouble this delivery told the owner of ('' none).
    COALESCE(CASE WHEN m.owner_told_key = d.id::text THEN m.owner_told END, '')::text AS told_owner,
    sqlc.embed(tx)
FROM d
JOIN integrations i ON i.id = d.integration_id
JOIN alert_transactions tx ON tx.id = d.transaction_id
LEFT JOIN zalo_templates zt ON zt.template_id = i.template_id
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
        (@deferred_until::timestamptz[])[o.n] AS deferred_until, (@costs::bigint[])[o.n] AS cost_vnd,
        (@silent::boolean[])[o.n] AS silent, (@maybe_duplicate::boolean[])[o.n] AS maybe_duplicate
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
    -- When the send that took began: a message found in the conversation
    -- long after was sent then, and must not count as newer than later
    -- doubts (the in-doubt reading skips what was sent after them).
    sent_at = CASE WHEN u.status = 'sent' THEN COALESCE(d.in_doubt_since, now()) ELSE d.sent_at END,
    cost_vnd = CASE WHEN u.status = 'sent' THEN u.cost_vnd ELSE d.cost_vnd END,
    silent = u.silent, maybe_duplicate = d.maybe_duplicate OR u.maybe_duplicate
FROM u, transactions t
WHERE d.id = u.id AND d.status <> 'sent' AND t.id = d.transaction_id
RETURNING d.id, t.received_at;

-- RedoubtDelivery starts a delivery's doubt afresh: a new send of it
-- begins, after the last was found never to have arrived.
-- name: RedoubtDelivery :exec
UPDATE deliveries SET in_doubt_since = now() WHERE id = @id AND status = 'pending';

-- RecordDeliveryError keeps the delivery log honest while Temporal
-- retries. settled: the attempt is known not to have delivered (Zalo
-- refused it, or it never left), so the delivery is no longer in doubt.
-- name: RecordDeliveryError :exec
UPDATE deliveries SET last_error = @last_error, updated_at = now(),
    route = COALESCE(sqlc.narg(route)::delivery_route, route),
    in_doubt_since = CASE WHEN @settled::boolean THEN NULL ELSE in_doubt_since END
WHERE id = @id AND status = 'pending';

-- DeliveriesInDoubt lists a person's deliveries left in doubt since
-- before @before, oldest first, with what each shows: one read of their
-- conversation settles them all.
-- name: DeliveriesInDoubt :many
SELECT d.id, d.in_doubt_since::timestamptz AS in_doubt_since, COALESCE(d.route::text, '')::text AS route, i.fields,
    COALESCE((SELECT m.hidden_fields FROM integration_members m
        WHERE d.role = 'member' AND m.integration_id = d.integration_id AND m.oa_user_id = d.recipient AND m.removed_at IS NULL), '{}')::text[] AS hidden_fields,
    sqlc.embed(tx)
FROM deliveries d
JOIN integrations i ON i.id = d.integration_id
JOIN alert_transactions tx ON tx.id = d.transaction_id
WHERE d.recipient = @recipient AND d.status = 'pending' AND d.in_doubt_since < @before::timestamptz
ORDER BY d.in_doubt_since;

-- CountSentAfter counts the messages recorded as sent to a person after a
-- time: messages Zalo lists before any older one in their conversation.
-- name: CountSentAfter :one
SELECT count(*) FROM deliveries WHERE recipient = @recipient AND status = 'sent' AND sent_at > @after::timestamptz;

-- name: ListTransactionDeliveries :many
SELECT * FROM deliveries WHERE transaction_id = @transaction_id ORDER BY created_at, id;

-- ListIntegrationDeliveries is one page of an integration's delivery log,
-- newest first, after the keyset (@before_at, @before_id): every delivery
-- of one transaction shares its created_at, so the id breaks the tie and a
-- page may end inside a transaction without losing the rest of it. An RFC
-- 3339 cursor is the nil id: nothing sorts below it, so that page starts
-- strictly before the time.
-- name: ListIntegrationDeliveries :many
SELECT sqlc.embed(d), t.amount, t.occurred_at, t.external_id
FROM deliveries d
JOIN integrations i ON i.id = d.integration_id
JOIN transactions t ON t.id = d.transaction_id
WHERE d.integration_id = @integration_id AND i.workspace_id = @workspace_id
  AND (sqlc.narg(before_at)::timestamptz IS NULL OR (d.created_at, d.id) < (sqlc.narg(before_at)::timestamptz, @before_id::uuid))
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

-- DeliveryWorkspace is the workspace a delivery belongs to.
-- name: DeliveryWorkspace :one
SELECT i.workspace_id FROM deliveries d JOIN integrations i ON i.id = d.integration_id WHERE d.id = @id;

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
    sqlc.embed(tx)
FROM deliveries d
JOIN integrations i ON i.id = d.integration_id
JOIN alert_transactions tx ON tx.id = d.transaction_id
WHERE d.digest_id = @digest_id AND d.status = 'deferred'
ORDER BY tx.occurred_at, d.created_at, d.id;

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
-- nothing for a message recorded as sent before. A NULL route keeps the
-- one recorded (a message found in the conversation).
-- name: FinishDigest :many
WITH digest AS (
    UPDATE digests g SET status = @status, zalo_message_id = @zalo_message_id,
        route = COALESCE(sqlc.narg(route)::delivery_route, g.route),
        last_error = @last_error, in_doubt_since = NULL,
        sent_at = CASE WHEN @status::delivery_status = 'sent' THEN COALESCE(g.in_doubt_since, now()) END
    WHERE g.id = @id AND g.status <> 'sent'
    RETURNING g.id, g.route, g.sent_at
)
UPDATE deliveries d SET status = @status, zalo_message_id = @zalo_message_id, route = digest.route,
    last_error = @last_error, updated_at = now(), in_doubt_since = NULL,
    sent_at = digest.sent_at
FROM digest, transactions t
WHERE d.digest_id = digest.id AND d.status = 'deferred' AND t.id = d.transaction_id
RETURNING t.received_at;

-- DigestsInDoubt lists a person's morning messages left in doubt since
-- before @before, oldest first.
-- name: DigestsInDoubt :many
SELECT id, in_doubt_since::timestamptz AS in_doubt_since, COALESCE(route::text, '')::text AS route, card FROM digests
WHERE recipient = @recipient AND status = 'pending' AND in_doubt_since < @before::timestamptz
ORDER BY in_doubt_since;

-- name: CountDigestsSentAfter :one
SELECT count(*) FROM digests WHERE recipient = @recipient AND status = 'sent' AND sent_at > @after::timestamptz;

-- name: RedoubtDigest :exec
UPDATE digests SET in_doubt_since = now() WHERE id = @id AND status = 'pending';

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

-- KnownMessageIDs says which of @ids a delivery, a morning message or a
-- note has recorded already: such a message settles no other doubt.
-- name: KnownMessageIDs :many
SELECT zalo_message_id FROM deliveries WHERE zalo_message_id = ANY(@ids::text[])
UNION SELECT zalo_message_id FROM digests WHERE zalo_message_id = ANY(@ids::text[])
UNION SELECT zalo_message_id FROM notes WHERE zalo_message_id = ANY(@ids::text[]);

-- PhoneReceipt is Zalo's receipt of the message sent by phone under
-- @tracking_id, if one came.
-- name: PhoneReceipt :one
SELECT msg_id, delivered_at FROM phone_receipts WHERE tracking_id = @tracking_id;

-- RecordPhoneReceipt keeps a by-phone receipt and fills its delivery's
-- received_at; the tracking id is the delivery's id.
-- name: RecordPhoneReceipt :exec
WITH kept AS (
    INSERT INTO phone_receipts (tracking_id, msg_id, delivered_at) VALUES (@tracking_id::text, @msg_id, @delivered_at::timestamptz)
    ON CONFLICT (tracking_id) DO NOTHING
)
UPDATE deliveries SET received_at = @delivered_at::timestamptz
WHERE id::text = @tracking_id::text AND received_at IS NULL;

-- RecordSeen fills seen_at of every delivery whose message Zalo says was
-- seen (a morning message's alerts share its id).
-- name: RecordSeen :execrows
UPDATE deliveries SET seen_at = @seen_at::timestamptz
WHERE zalo_message_id = ANY(@message_ids::text[]) AND zalo_message_id <> '' AND seen_at IS NULL;

-- IntegrationCosts is what an integration's alerts cost since @since, and
-- how many went, by route.
-- name: IntegrationCosts :many
SELECT route::text AS route, count(*)::bigint AS sent, COALESCE(sum(cost_vnd), 0)::bigint AS cost_vnd
FROM deliveries WHERE integration_id = @integration_id AND status = 'sent' AND sent_at >= @since::timestamptz AND route IS NOT NULL
GROUP BY route ORDER BY route;

-- MyAlerts is what a person received of a workspace's alerts between two
-- times (by when each was sent): every delivery sent to them as an alert
-- recipient (alert_recipients; the follower-table link only with
-- @link_members), with what they may see of it: the integration's fields
-- and the member's hidden fields. A delivery is sent within a day of being
-- made (retries give up after 24 h; the night holds less), which lets the
-- integration's index find the day.
-- name: MyAlerts :many
SELECT d.id, d.sent_at, d.integration_id, r.hidden_fields, i.fields,
    t.amount, t.description, t.balance_after, t.occurred_at, t.reference,
    t.counter_account_name, t.counter_account_number, t.counter_bank_name,
    b.bank_name, b.account_number, b.account_name,
    array(SELECT ba.account_number || CASE WHEN ba.bank_name <> '' THEN ' - ' || ba.bank_name ELSE '' END
          FROM integration_bank_accounts iba JOIN bank_accounts ba ON ba.id = iba.bank_account_id
          WHERE iba.integration_id = i.id ORDER BY ba.account_number)::text[] AS integration_accounts
FROM alert_recipients r
JOIN deliveries d ON d.integration_id = r.integration_id AND d.recipient = r.oa_user_id AND d.role = r.role
JOIN integrations i ON i.id = d.integration_id
JOIN transactions t ON t.id = d.transaction_id
JOIN bank_accounts b ON b.id = t.bank_account_id
WHERE r.workspace_id = @workspace_id AND r.app_user_id = @app_user_id
  AND (NOT r.by_follower_map OR @link_members::boolean)
  AND d.status = 'sent'
  AND d.created_at >= sqlc.arg(from_at)::timestamptz - interval '25 hours' AND d.created_at < sqlc.arg(until_at)::timestamptz
  AND d.sent_at >= sqlc.arg(from_at)::timestamptz AND d.sent_at < sqlc.arg(until_at)::timestamptz
ORDER BY d.sent_at DESC, d.id
LIMIT 500;
