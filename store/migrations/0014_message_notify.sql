-- Every message stored is told to the processes sharing the database:
-- NOTIFY supportd_messages, with the conversation and the sequence number
-- as payload ("c_abc 12"). The notification goes out when the
-- transaction commits, so a listener that reads the message finds it.
CREATE FUNCTION supportd_notify_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('supportd_messages', NEW.conversation_id || ' ' || NEW.seq);
	RETURN NULL;
END
$$;

CREATE TRIGGER messages_notify AFTER INSERT ON messages
	FOR EACH ROW EXECUTE FUNCTION supportd_notify_message();
