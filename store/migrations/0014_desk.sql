-- 0014_desk: the desk shared by several processes. When a conversation
-- joined the queue, whether an agent gave it back (it goes first), what
-- the desk keeps of its customer; the conversations each agent holds, to
-- count them against their capacity; and which process has which agent's
-- console open, told every few seconds, so that the agents of a process
-- that died are found.

ALTER TABLE conversations
	ADD COLUMN queued_at timestamptz,
	ADD COLUMN front boolean NOT NULL DEFAULT false,
	ADD COLUMN desk_info jsonb;

CREATE INDEX conversations_held_idx ON conversations (agent) WHERE state = 'agent';

UPDATE conversations SET queued_at = updated_at WHERE state IN ('queued', 'agent');

CREATE TABLE desk_consoles (
	login   text NOT NULL,
	replica text NOT NULL,
	seen_at timestamptz NOT NULL,
	PRIMARY KEY (login, replica)
);
