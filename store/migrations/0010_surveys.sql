-- 0010_surveys: the customers' answers to the satisfaction survey offered
-- when an agent closes their conversation, one per offer.

CREATE TABLE surveys (
	conversation_id text NOT NULL,
	seq             bigint NOT NULL,
	agent           text NOT NULL DEFAULT '',
	rating          integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
	comment         text NOT NULL DEFAULT '',
	created_at      timestamptz NOT NULL,
	PRIMARY KEY (conversation_id, seq)
);

CREATE INDEX surveys_created_idx ON surveys (created_at DESC);
