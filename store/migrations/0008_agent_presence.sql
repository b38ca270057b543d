-- 0008_agent_presence: the presence each agent last chose, so that an
-- agent whose console reconnects after a restart keeps it.

ALTER TABLE agents ADD COLUMN presence text NOT NULL DEFAULT 'offline'
	CHECK (presence IN ('online', 'away', 'offline'));
