-- 0012_history: the conversations agents closed, for the console's history.

CREATE TABLE closed_conversations (
	conversation_id text NOT NULL,
	agent           text NOT NULL DEFAULT '',
	resolution      text NOT NULL DEFAULT '',
	customer_id     text NOT NULL DEFAULT '',
	closed_at       timestamptz NOT NULL
);

CREATE INDEX closed_conversations_at_idx ON closed_conversations (closed_at DESC);
