-- 0001_init: conversations, their messages and the customers' feedback on
-- articles.

CREATE TABLE conversations (
	id          text PRIMARY KEY,
	token_hash  bytea,
	customer_id text NOT NULL DEFAULT '',
	lang        text NOT NULL DEFAULT '',
	state       text NOT NULL DEFAULT '',
	created_at  timestamptz NOT NULL,
	updated_at  timestamptz NOT NULL,
	-- The sequence number of the last message; appending a message
	-- increments it under the row's lock, so numbers have no gaps.
	last_seq    bigint NOT NULL DEFAULT 0
);

CREATE TABLE messages (
	conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	seq             bigint NOT NULL,
	client_id       text NOT NULL DEFAULT '',
	author          text NOT NULL,
	agent_id        text NOT NULL DEFAULT '',
	text            text NOT NULL DEFAULT '',
	data            jsonb,
	created_at      timestamptz NOT NULL,
	PRIMARY KEY (conversation_id, seq)
);

-- A customer's message is stored once per client id: retries find it here.
CREATE UNIQUE INDEX messages_client_id_key ON messages (conversation_id, client_id)
	WHERE client_id <> '';

CREATE TABLE feedback (
	conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	article_id      text NOT NULL,
	seq             bigint NOT NULL,
	helpful         boolean NOT NULL,
	created_at      timestamptz NOT NULL,
	PRIMARY KEY (conversation_id, article_id)
);

-- The sums per article (FeedbackByArticle).
CREATE INDEX feedback_article_id_idx ON feedback (article_id, helpful);
