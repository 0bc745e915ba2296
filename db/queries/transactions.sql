-- RecordTransaction stores a transaction once, with its notification's
-- outbox row (waking the dispatchers when it commits): one statement, so a
-- recorded transaction is always notified. A second recording of the same
-- (bank account, external id) changes nothing, queues nothing, and returns
-- the row first recorded, with inserted false (xmax is 0 only on a row this
-- statement inserted; the no-op update is what makes the row come back).
-- name: RecordTransaction :one
WITH recorded AS (
    INSERT INTO transactions (
        workspace_id, bank_account_id, external_id, amount, description, balance_after, occurred_at,
        reference, counter_account_name, counter_account_number, counter_bank_name, raw
    ) VALUES (
        @workspace_id, @bank_account_id, @external_id, @amount, @description, @balance_after, @occurred_at,
        @reference, @counter_account_name, @counter_account_number, @counter_bank_name, @raw
    )
    ON CONFLICT (bank_account_id, external_id) DO UPDATE SET external_id = EXCLUDED.external_id
    RETURNING id, amount, occurred_at, (xmax = 0)::boolean AS inserted
), queued AS (
    INSERT INTO outbox (kind, ref) SELECT 'notify', r.id FROM recorded r WHERE r.inserted
    RETURNING kind
)
SELECT r.id, r.amount, r.occurred_at, r.inserted
FROM recorded r, (SELECT count(*) FROM queued q, pg_notify('tingting_outbox', q.kind::text)) woken;

-- name: GetTransaction :one
SELECT * FROM transactions WHERE workspace_id = @workspace_id AND id = @id;

-- PurgeTransactionBodies forgets the raw webhook bodies of old
-- transactions; what was parsed from them stays.
-- name: PurgeTransactionBodies :execrows
UPDATE transactions SET raw = NULL WHERE raw IS NOT NULL AND received_at < @before;
