-- 0005_tickets: the customers' requests taken by email.

CREATE TABLE tickets (
	number          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	-- A retried creation finds its ticket here.
	client_id       text NOT NULL,
	customer_id     text NOT NULL DEFAULT '',
	email           text NOT NULL,
	name            text NOT NULL DEFAULT '',
	message         text NOT NULL DEFAULT '',
	lang            text NOT NULL DEFAULT '',
	status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
	created_at      timestamptz NOT NULL,
	UNIQUE (conversation_id, client_id)
);

-- The tickets of a status, newest first (ListTickets).
CREATE INDEX tickets_status_idx ON tickets (status, number DESC);
