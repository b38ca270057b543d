-- 0015_reports: the conversations of a period, for the reports.

CREATE INDEX conversations_created_idx ON conversations (created_at);
