-- 0016_editor_role: editors, who read the editors' reports in the
-- console besides answering customers.

ALTER TABLE agents DROP CONSTRAINT agents_role_check;
ALTER TABLE agents ADD CONSTRAINT agents_role_check CHECK (role IN ('agent', 'editor', 'admin'));
