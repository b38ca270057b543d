-- 0004_outbox: the emails to send, kept until the SMTP server accepts them.

CREATE TABLE outbox_emails (
	id           text PRIMARY KEY,
	recipients   text[] NOT NULL,
	sender       text NOT NULL DEFAULT '',
	reply_to     text NOT NULL DEFAULT '',
	subject      text NOT NULL DEFAULT '',
	body         text NOT NULL DEFAULT '',
	created_at   timestamptz NOT NULL,
	attempts     integer NOT NULL DEFAULT 0,
	next_attempt timestamptz NOT NULL,
	last_error   text NOT NULL DEFAULT '',
	-- NULL until the SMTP server accepts the email.
	sent_at      timestamptz
);

-- The emails due (DueEmails); sent ones leave the index.
CREATE INDEX outbox_emails_due_idx ON outbox_emails (next_attempt, id COLLATE "C") WHERE sent_at IS NULL;
