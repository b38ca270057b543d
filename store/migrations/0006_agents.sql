-- 0006_agents: the shop's agents and their login sessions.

CREATE TABLE agents (
	login         text PRIMARY KEY CHECK (login ~ '^[a-z0-9._-]{1,64}$'),
	name          text NOT NULL DEFAULT '',
	password_hash bytea NOT NULL,
	capacity      integer NOT NULL DEFAULT 3 CHECK (capacity >= 0),
	created_at    timestamptz NOT NULL
);

-- A session is found by the SHA-256 of its cookie; the cookie itself is
-- never stored.
CREATE TABLE agent_sessions (
	id_hash    bytea PRIMARY KEY,
	login      text NOT NULL REFERENCES agents (login) ON DELETE CASCADE,
	csrf       text NOT NULL,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL
);

-- The expired sessions, for cleaning up.
CREATE INDEX agent_sessions_expires_idx ON agent_sessions (expires_at);
