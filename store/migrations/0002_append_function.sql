-- 0002_append_function: appending a message in one round trip.
--
-- supportd_append_message numbers and stores a message like the
-- transaction it replaces (update the conversation's last_seq under its
-- row lock, insert), called as one statement. It returns no row when the
-- conversation does not exist, and dup = true with the stored message's
-- seq when the client id is already taken, writing nothing: a retry that
-- races the original loses on the unique index, and the exception block
-- gives its sequence number back, so numbers keep no gaps.
CREATE FUNCTION supportd_append_message(
	p_conversation text, p_client_id text, p_author text, p_agent_id text,
	p_text text, p_data jsonb, p_created_at timestamptz)
RETURNS TABLE (out_seq bigint, out_created_at timestamptz, out_dup boolean)
LANGUAGE plpgsql AS $$
DECLARE
	v_seq bigint;
	v_at  timestamptz;
BEGIN
	IF p_client_id <> '' THEN
		SELECT m.seq, m.created_at INTO v_seq, v_at FROM messages m
		WHERE m.conversation_id = p_conversation AND m.client_id = p_client_id;
		IF FOUND THEN
			RETURN QUERY SELECT v_seq, v_at, true;
			RETURN;
		END IF;
	END IF;
	BEGIN
		UPDATE conversations SET last_seq = last_seq + 1, updated_at = now()
		WHERE id = p_conversation RETURNING last_seq, updated_at INTO v_seq, v_at;
		IF NOT FOUND THEN
			RETURN;
		END IF;
		v_at := COALESCE(p_created_at, v_at);
		INSERT INTO messages (conversation_id, seq, client_id, author, agent_id, text, data, created_at)
		VALUES (p_conversation, v_seq, p_client_id, p_author, p_agent_id, p_text, p_data, v_at);
	EXCEPTION WHEN unique_violation THEN
		SELECT m.seq, m.created_at INTO v_seq, v_at FROM messages m
		WHERE m.conversation_id = p_conversation AND m.client_id = p_client_id;
		RETURN QUERY SELECT v_seq, v_at, true;
		RETURN;
	END;
	RETURN QUERY SELECT v_seq, v_at, false;
END
$$;
