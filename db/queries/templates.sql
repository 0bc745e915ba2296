-- UpsertTemplate keeps a template as Zalo describes it now.
-- name: UpsertTemplate :exec
INSERT INTO zalo_templates (template_id, name, status, tag, quality, params, price_uid, price_sdt, sendable_by_uid, preview_url, read_at)
VALUES (@template_id, @name, @status, @tag, @quality, @params, @price_uid, @price_sdt, @sendable_by_uid, @preview_url, now())
ON CONFLICT (template_id) DO UPDATE SET name = EXCLUDED.name, status = EXCLUDED.status, tag = EXCLUDED.tag,
    quality = EXCLUDED.quality, params = EXCLUDED.params, price_uid = EXCLUDED.price_uid, price_sdt = EXCLUDED.price_sdt,
    sendable_by_uid = EXCLUDED.sendable_by_uid, preview_url = EXCLUDED.preview_url, read_at = now();

-- name: ListTemplates :many
SELECT * FROM zalo_templates ORDER BY name, template_id;

-- name: GetTemplate :one
SELECT * FROM zalo_templates WHERE template_id = @template_id;

-- DisableTemplate records what a send learned before the next reading
-- does: Zalo disabled the template for low quality (-146).
-- name: DisableTemplate :exec
UPDATE zalo_templates SET status = 'DISABLE', quality = 'LOW' WHERE template_id = @template_id;

-- UntoldTemplates lists the integrations whose template changed since its
-- owners were last told (told_key is the status and quality they heard
-- of), with the template as it is now; TellTemplate marks it told.
-- name: UntoldTemplates :many
SELECT i.id AS integration_id, t.template_id, t.name, t.status, t.tag, t.quality, t.told_key
FROM zalo_templates t JOIN integrations i ON i.template_id = t.template_id AND i.status = 'active'
WHERE t.told_key <> t.status || '/' || t.quality;

-- name: TellTemplate :exec
UPDATE zalo_templates SET told_key = status || '/' || quality WHERE template_id = @template_id;
