-- 0009_phrasings: customers' wordings recorded as candidate questions of
-- the articles that answered them, until an editor accepts or rejects them.

CREATE TABLE phrasings (
	id              bigserial PRIMARY KEY,
	article_id      text NOT NULL,
	text            text NOT NULL,
	-- The text as AddPhrasing compares it: lower-cased, spaces folded.
	text_key        text NOT NULL,
	source          text NOT NULL CHECK (source IN ('vote', 'agent')),
	conversation_id text NOT NULL DEFAULT '',
	status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
	created_at      timestamptz NOT NULL,
	UNIQUE (article_id, text_key)
);
