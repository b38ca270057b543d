-- 0007_assignment: the agent holding a conversation, the conversations
-- waiting for or held by an agent, and who answered a ticket.

ALTER TABLE conversations ADD COLUMN agent text NOT NULL DEFAULT '';

-- The conversations queued or held by an agent, in the order
-- ActiveConversations returns them; the others stay out of the index.
CREATE INDEX conversations_active_idx ON conversations (updated_at, id COLLATE "C")
	WHERE state IN ('queued', 'agent');

ALTER TABLE tickets
	ADD COLUMN answered_by text NOT NULL DEFAULT '',
	-- NULL until an agent answers or closes the ticket (AnswerTicket).
	ADD COLUMN answered_at timestamptz;
