-- 0003_append_exchange: a customer's message and the reply to it in one
-- statement, so that they share a commit.
--
-- supportd_append_exchange appends the message like
-- supportd_append_message; when it is new, it appends the reply right
-- after it, in the same transaction. It returns no row when the
-- conversation does not exist; when the message's client id is already
-- taken, it writes nothing and returns the stored message's seq with
-- out_dup = true and no reply.
CREATE FUNCTION supportd_append_exchange(
	p_conversation text, p_client_id text, p_author text, p_agent_id text,
	p_text text, p_data jsonb, p_created_at timestamptz,
	r_author text, r_agent_id text, r_text text, r_data jsonb, r_created_at timestamptz)
RETURNS TABLE (out_seq bigint, out_created_at timestamptz, out_dup boolean,
	out_reply_seq bigint, out_reply_created_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
	q record;
	r record;
BEGIN
	SELECT * INTO q FROM supportd_append_message(p_conversation, p_client_id, p_author, p_agent_id, p_text, p_data, p_created_at);
	IF NOT FOUND THEN
		RETURN;
	END IF;
	IF q.out_dup THEN
		RETURN QUERY SELECT q.out_seq, q.out_created_at, true, NULL::bigint, NULL::timestamptz;
		RETURN;
	END IF;
	SELECT * INTO r FROM supportd_append_message(p_conversation, '', r_author, r_agent_id, r_text, r_data, r_created_at);
	RETURN QUERY SELECT q.out_seq, q.out_created_at, false, r.out_seq, r.out_created_at;
END
$$;
