-- 0011_canned: the replies agents share, inserted by their shortcut.

CREATE TABLE canned_replies (
	id         bigserial PRIMARY KEY,
	shortcut   text NOT NULL UNIQUE CHECK (shortcut ~ '^[a-z0-9_-]{1,32}$'),
	text       text NOT NULL,
	updated_by text NOT NULL DEFAULT '',
	updated_at timestamptz NOT NULL
);
