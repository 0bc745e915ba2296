-- +goose Up
-- People who sign in with Zalo: one per Zalo account, known by the
-- app-scoped id Social login's /me gives.
CREATE TABLE users (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    zalo_app_user_id text NOT NULL UNIQUE CHECK (zalo_app_user_id <> ''),
    name             text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- A workspace's team: who may sign in to it, and what they may do.
-- (The fourth role, member, is not stored: it is anyone who receives the
-- workspace's alerts, see alert_recipients.)
CREATE TYPE team_role AS ENUM ('owner', 'manager', 'viewer');
CREATE TABLE team_members (
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         team_role NOT NULL,
    joined_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX team_members_user_idx ON team_members (user_id);

-- An invitation to a team, by a link. The code is stored only as its
-- SHA-256; it admits one person, once, before expires_at.
CREATE TABLE team_invites (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    code_hash    bytea NOT NULL UNIQUE CHECK (length(code_hash) = 32),
    role         team_role NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_by      uuid REFERENCES users (id) ON DELETE CASCADE,
    used_at      timestamptz,
    CHECK ((used_by IS NULL) = (used_at IS NULL))
);
CREATE INDEX team_invites_workspace_idx ON team_invites (workspace_id);

-- A signed-in browser. The cookie holds a random token; only its SHA-256
-- is stored. It ends when signed out (ended_at), after idle_timeout
-- without a request (last_seen_at, written at most once a minute), and at
-- expires_at whatever happens. workspace_id is the workspace it is in now.
CREATE TABLE sessions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_agent   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    ended_at     timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE ended_at IS NULL;

-- A sign-in with Zalo uses the wizard's login table: a login without a
-- wizard (and so without a workspace) is a sign-in. invite_hash is the team
-- invite the person is signing in to accept, if any.
ALTER TABLE oauth_logins
    ALTER COLUMN workspace_id DROP NOT NULL,
    ALTER COLUMN wizard_id DROP NOT NULL,
    ADD COLUMN invite_hash bytea,
    ADD CONSTRAINT oauth_logins_kind_check CHECK ((workspace_id IS NULL) = (wizard_id IS NULL));

-- Who receives a workspace's alerts, by the app-scoped id they sign in
-- with: each integration's owner (the Zalo account its wizard logged in
-- with, whose app id Social login gave), and each member (an OA id from
-- "/invite"), whose app id is the follower table's: Zalo's webhooks and
-- user/detail carry it as user_id_by_app. by_follower_map marks the
-- members, so that link can be switched off (ZALO_MEMBER_LINK).
CREATE VIEW alert_recipients AS
SELECT i.workspace_id, i.id AS integration_id, za.app_user_id, za.oa_user_id,
    'owner'::recipient_role AS role, '{}'::text[] AS hidden_fields, false AS by_follower_map
FROM integrations i JOIN zalo_accounts za ON za.id = i.owner_account_id
WHERE i.status <> 'deleted'
UNION ALL
SELECT i.workspace_id, i.id, f.app_user_id, m.oa_user_id,
    'member'::recipient_role, m.hidden_fields, true
FROM integration_members m
JOIN integrations i ON i.id = m.integration_id
JOIN zalo_followers f ON f.oa_user_id = m.oa_user_id
WHERE m.removed_at IS NULL AND i.status <> 'deleted' AND f.app_user_id IS NOT NULL;

-- Who changed what: every change made through the API, by a person (a
-- user) or a key. actor_name is their name or the key's label then; there
-- is no foreign key, so the record outlives both.
CREATE TYPE actor_kind AS ENUM ('person', 'key');
CREATE TABLE audit_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id   uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    at             timestamptz NOT NULL DEFAULT now(),
    actor_kind     actor_kind NOT NULL,
    actor_id       uuid NOT NULL,
    actor_name     text NOT NULL,
    action         text NOT NULL,
    integration_id uuid,
    detail         jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_integration_idx ON audit_log (integration_id, at DESC) WHERE integration_id IS NOT NULL;
CREATE INDEX audit_log_workspace_idx ON audit_log (workspace_id, at DESC);

-- +goose Down
DROP TABLE audit_log;
DROP TYPE actor_kind;
DROP VIEW alert_recipients;
DELETE FROM oauth_logins WHERE wizard_id IS NULL;
ALTER TABLE oauth_logins
    DROP CONSTRAINT oauth_logins_kind_check,
    DROP COLUMN invite_hash,
    ALTER COLUMN wizard_id SET NOT NULL,
    ALTER COLUMN workspace_id SET NOT NULL;
DROP TABLE sessions;
DROP TABLE team_invites;
DROP TABLE team_members;
DROP TYPE team_role;
DROP TABLE users;
