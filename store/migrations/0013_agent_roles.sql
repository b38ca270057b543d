-- 0013_agent_roles: agents are agents or admins, who also manage the
-- agents from the console; a disabled agent can no longer log in.

ALTER TABLE agents
	ADD COLUMN role text NOT NULL DEFAULT 'agent' CHECK (role IN ('agent', 'admin')),
	ADD COLUMN disabled boolean NOT NULL DEFAULT false;
