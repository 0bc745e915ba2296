-- StartNote counts an attempt at a note (made on the first) and marks it
-- in doubt from now until its outcome is known, written before the send;
-- doubted says an earlier attempt left it so.
-- name: StartNote :one
INSERT INTO notes AS n (id, recipient, fingerprint, attempts, in_doubt_since)
VALUES (@id, @recipient, @fingerprint, 1, now())
ON CONFLICT (id) DO UPDATE SET attempts = n.attempts + 1,
    in_doubt_since = CASE WHEN n.status = 'pending' THEN COALESCE(n.in_doubt_since, now()) END
RETURNING status, zalo_message_id, route, in_doubt_since, COALESCE(in_doubt_since < now(), false)::boolean AS doubted;

-- FinishNote records a note's outcome; a note sent is never changed. A
-- deferred note stays pending, no longer in doubt.
-- name: FinishNote :exec
UPDATE notes SET
    status = CASE WHEN @status::delivery_status = 'deferred' THEN status ELSE @status::delivery_status END,
    zalo_message_id = @zalo_message_id, last_error = @last_error, in_doubt_since = NULL,
    route = COALESCE(sqlc.narg(route)::delivery_route, route),
    sent_at = CASE WHEN @status::delivery_status = 'sent' THEN COALESCE(in_doubt_since, now()) END
WHERE id = @id AND status <> 'sent';

-- name: NoteNoteError :exec
UPDATE notes SET last_error = @last_error,
    route = COALESCE(sqlc.narg(route)::delivery_route, route),
    in_doubt_since = CASE WHEN @settled::boolean THEN NULL ELSE in_doubt_since END
WHERE id = @id AND status = 'pending';

-- NotesInDoubt lists a person's notes left in doubt since before @before,
-- oldest first.
-- name: NotesInDoubt :many
SELECT id, in_doubt_since::timestamptz AS in_doubt_since, COALESCE(route::text, '')::text AS route, fingerprint FROM notes
WHERE recipient = @recipient AND status = 'pending' AND in_doubt_since < @before::timestamptz
ORDER BY in_doubt_since;

-- name: CountNotesSentAfter :one
SELECT count(*) FROM notes WHERE recipient = @recipient AND status = 'sent' AND sent_at > @after::timestamptz;

-- PurgeNotes forgets notes finished before @before: kept only while a
-- retry may still need them.
-- name: PurgeNotes :execrows
DELETE FROM notes WHERE created_at < @before AND (status <> 'pending' OR in_doubt_since IS NULL);

-- name: RedoubtNote :exec
UPDATE notes SET in_doubt_since = now() WHERE id = @id AND status = 'pending';
