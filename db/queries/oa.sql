-- PauseRoute stops a route for the whole OA, or keeps it stopped with the
-- newest cause; one send may probe it at @probe_at.
-- name: PauseRoute :exec
INSERT INTO route_pauses (route, code, message, probe_at) VALUES (@route, @code, @message, @probe_at)
ON CONFLICT (route) DO UPDATE SET code = EXCLUDED.code, message = EXCLUDED.message, probe_at = EXCLUDED.probe_at;

-- name: ListPauses :many
SELECT * FROM route_pauses ORDER BY since, route;

-- TakeProbe lets one send try a paused route now: it moves the next probe
-- to @next_probe_at and says whether this caller took it.
-- name: TakeProbe :one
WITH taken AS (
    UPDATE route_pauses SET probe_at = @next_probe_at WHERE route = @route AND probe_at <= now() RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM taken)::boolean;

-- ResumeRoutes ends the pauses of @routes ('' every one) caused by one of
-- @codes (empty: any cause), and says which ended.
-- name: ResumeRoutes :many
DELETE FROM route_pauses
WHERE (cardinality(@routes::text[]) = 0 OR route = ANY(@routes::text[]))
  AND (cardinality(@codes::integer[]) = 0 OR code = ANY(@codes::integer[]))
RETURNING route;

-- name: SetOAHealth :exec
INSERT INTO oa_health (id, oa_id, name, is_verified, package_name, linked_zca, checked_at)
VALUES (true, @oa_id, @name, @is_verified, @package_name, @linked_zca, now())
ON CONFLICT (id) DO UPDATE SET oa_id = EXCLUDED.oa_id, name = EXCLUDED.name, is_verified = EXCLUDED.is_verified,
    package_name = EXCLUDED.package_name, linked_zca = EXCLUDED.linked_zca, checked_at = now();

-- name: GetOAHealth :one
SELECT * FROM oa_health;
