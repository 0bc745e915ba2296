-- RecordTransaction stores a transaction once for its source: the REST
-- API's (source_id NULL: the workspace is the source) or a webhook
-- source's. A second recording of the same (source, external id) changes
-- nothing and returns the row first recorded, with inserted false (xmax
-- is 0 only on a row this statement inserted; the no-op update is what
-- makes the row come back). A row recorded before sources were kept
-- (via NULL) is still found by its (bank account, external id). @via is
-- the REST API's unless given (a webhook's must be: a source_id with via
-- api breaks transactions_source_check).
-- name: RecordTransaction :one
WITH legacy AS (
    SELECT l.id, l.amount, l.occurred_at, l.bank_account_id FROM transactions l
    WHERE l.via IS NULL AND l.bank_account_id = @bank_account_id AND l.external_id = @external_id
), recorded AS (
    INSERT INTO transactions (
        workspace_id, bank_account_id, external_id, amount, description, balance_after, occurred_at,
        reference, counter_account_name, counter_account_number, counter_bank_name, sub_account, payment_code,
        raw, source_id, via
    )
    SELECT @workspace_id, @bank_account_id, @external_id, @amount, @description, @balance_after, @occurred_at,
        @reference, @counter_account_name, @counter_account_number, @counter_bank_name, @sub_account, @payment_code,
        @raw, sqlc.narg(source_id)::uuid, COALESCE(sqlc.narg(via)::transaction_via, 'api')
    WHERE NOT EXISTS (SELECT 1 FROM legacy)
    ON CONFLICT ((COALESCE(source_id, workspace_id)), external_id) WHERE via IS NOT NULL
    DO UPDATE SET external_id = EXCLUDED.external_id
    RETURNING id, amount, occurred_at, bank_account_id, (xmax = 0)::boolean AS inserted
)
SELECT r.id, r.amount, r.occurred_at, r.bank_account_id, r.inserted FROM recorded r
UNION ALL
SELECT l.id, l.amount, l.occurred_at, l.bank_account_id, false FROM legacy l;

-- KnownExternalIDs are those of ids a source has recorded already: what a
-- read-back page need not record again. (Written as the identity's index
-- is, so that it is used.)
-- name: KnownExternalIDs :many
SELECT external_id FROM transactions
WHERE COALESCE(source_id, workspace_id) = @source_id::uuid AND via IS NOT NULL AND external_id = ANY(@external_ids::text[]);

-- name: GetTransaction :one
SELECT * FROM transactions WHERE workspace_id = @workspace_id AND id = @id;

-- PurgeTransactionBodies forgets the raw webhook bodies of old
-- transactions; what was parsed from them stays.
-- name: PurgeTransactionBodies :execrows
UPDATE transactions SET raw = NULL WHERE raw IS NOT NULL AND received_at < @before;
