package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/supportd/supportd/internal/pgschema"
)

var _ Store = (*Postgres)(nil)

// Postgres is a [Store] in a PostgreSQL database, which several supportd
// processes may share.
type Postgres struct {
	pool *pgxpool.Pool
	// group commits new conversations and messages in groups
	// (pgappend.go).
	group *groupCommitter
}

// DefaultMaxConns is the size of the connection pool when the URL does not
// set pool_max_conns. Measured with 500 chatting customers on two cores
// (docs/benchmarks.md), 8 gave the shortest latency tail: fewer queue for
// a connection, more make PostgreSQL's backends fight for the CPU.
const DefaultMaxConns = 8

// OpenPostgres connects to the database at url (a postgres:// URL or a
// key=value connection string, as pgx reads them, pool_max_conns
// included) and brings its schema up to date with [Migrate]'s migrations.
// Without pool_max_conns, the pool holds up to [DefaultMaxConns]
// connections. An unreachable server gives an error wrapping
// [ErrUnavailable].
func OpenPostgres(ctx context.Context, url string) (*Postgres, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: database url: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, errPostgres("connect", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, errPostgres("connect", err)
	}
	if _, err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	s := &Postgres{pool: pool}
	s.startGroupCommits()
	return s, nil
}

// Pool returns the store's connections, for another package that reads
// the same database (the orders), so that one process keeps one pool per
// database. The store closes it.
func (s *Postgres) Pool() *pgxpool.Pool { return s.pool }

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrate applies to the database at url the migrations it has not applied
// yet, in order, each in its own transaction, and returns their versions
// (such as "0001_init"). Applied versions are recorded in the table
// schema_migrations. Processes migrating the same database at once wait
// for one another.
func Migrate(ctx context.Context, url string) (applied []string, err error) {
	// Parsed as for a pool: the url may set pool_max_conns and the like.
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: database url: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig)
	if err != nil {
		return nil, errPostgres("connect", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return migrate(ctx, conn)
}

// migrate applies the store's migrations through db, a connection or a
// pool.
func migrate(ctx context.Context, db pgschema.Beginner) ([]string, error) {
	applied, err := pgschema.Migrate(ctx, db, migrationFiles, "migrations", "")
	if err != nil {
		return applied, errPostgres("migrate", err)
	}
	return applied, nil
}

// errPostgres wraps an error of pgx in ErrUnavailable, and passes the
// store's own errors through.
func errPostgres(op string, err error) error {
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrExists) || errors.Is(err, ErrInvalid) || isDeskError(err) {
		return err
	}
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, op, err)
}

// pgCode returns the SQLSTATE of a server's error, or "".
func pgCode(err error) string {
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pgErr.Code
	}
	return ""
}

// SQLSTATE codes the store maps to its errors.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
)

// nullTime is t for a timestamptz parameter, or NULL for the zero time.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return storedTime(t)
}

// CreateConversation implements [Store].
func (s *Postgres) CreateConversation(ctx context.Context, c *Conversation) error {
	if err := checkConversation(c); err != nil {
		return err
	}
	var created, updated time.Time
	err := s.submit(ctx, &write{
		conversation: c.ID,
		sql: `INSERT INTO conversations (id, token_hash, customer_id, lang, state, agent, created_at, updated_at, last_seq)
			VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, now()), coalesce($8, $7, now()), 0)
			RETURNING created_at, updated_at`,
		args: []any{c.ID, c.TokenHash, c.CustomerID, c.Lang, c.State, c.Agent, nullTime(c.CreatedAt), nullTime(c.UpdatedAt)},
		scan: func(row pgx.Row) error { return row.Scan(&created, &updated) },
	})
	if pgCode(err) == codeUniqueViolation {
		return fmt.Errorf("conversation %q: %w", c.ID, ErrExists)
	}
	if err != nil {
		return errPostgres("create conversation", err)
	}
	c.CreatedAt, c.UpdatedAt, c.LastSeq = created.UTC(), updated.UTC(), 0
	return nil
}

const selectConversations = `
	SELECT id, token_hash, customer_id, lang, state, agent, created_at, updated_at, last_seq, queued_at, front, desk_info
	FROM conversations`

func scanConversation(row pgx.Row) (Conversation, error) {
	var c Conversation
	var queued *time.Time
	err := row.Scan(&c.ID, &c.TokenHash, &c.CustomerID, &c.Lang, &c.State, &c.Agent, &c.CreatedAt, &c.UpdatedAt, &c.LastSeq, &queued, &c.Front, &c.DeskInfo)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	if queued != nil {
		c.QueuedAt = queued.UTC()
	}
	return c, err
}

// Conversation implements [Store].
func (s *Postgres) Conversation(ctx context.Context, id string) (*Conversation, error) {
	if !validText(id) {
		return nil, fmt.Errorf("conversation %q: %w", id, ErrNotFound)
	}
	c, err := scanConversation(s.pool.QueryRow(ctx, selectConversations+" WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("conversation %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, errPostgres("get conversation", err)
	}
	return &c, nil
}

// SetState implements [Store].
func (s *Postgres) SetState(ctx context.Context, id, state string) error {
	if err := checkText("state", state); err != nil {
		return err
	}
	return s.updateConversation(ctx, "set state", id, "UPDATE conversations SET state = $2, updated_at = now() WHERE id = $1", state)
}

// SetAssignment implements [Store] in one UPDATE (agent: migration 0007).
func (s *Postgres) SetAssignment(ctx context.Context, id, state, agent string) error {
	if err := checkText("state", state, "agent", agent); err != nil {
		return err
	}
	return s.updateConversation(ctx, "set assignment", id, "UPDATE conversations SET state = $2, agent = $3, updated_at = now() WHERE id = $1", state, agent)
}

// updateConversation runs sql, an UPDATE of the conversation $1, and
// returns ErrNotFound when it updates no row.
func (s *Postgres) updateConversation(ctx context.Context, op, id, sql string, args ...any) error {
	if !validText(id) {
		return fmt.Errorf("conversation %q: %w", id, ErrNotFound)
	}
	tag, err := s.pool.Exec(ctx, sql, append([]any{id}, args...)...)
	if err != nil {
		return errPostgres(op, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("conversation %q: %w", id, ErrNotFound)
	}
	return nil
}

// ActiveConversations implements [Store] through the partial index
// conversations_active_idx (migration 0007), whose WHERE clause the
// query repeats.
func (s *Postgres) ActiveConversations(ctx context.Context) ([]Conversation, error) {
	rows, err := s.pool.Query(ctx, selectConversations+`
		WHERE state IN ('queued', 'agent') ORDER BY updated_at, id COLLATE "C"`)
	if err != nil {
		return nil, errPostgres("list active conversations", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Conversation, error) { return scanConversation(row) })
	if err != nil {
		return nil, errPostgres("list active conversations", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// AppendMessage implements [Store] in one round trip: the function
// supportd_append_message (migration 0002) increments the conversation's
// last_seq, which locks its row until the end of the statement's
// transaction, and inserts the message with that number; when the client
// id is already stored, it writes nothing and says so, and the stored
// message is read back.
func (s *Postgres) AppendMessage(ctx context.Context, m *Message) (*Message, bool, error) {
	if err := checkMessage(m); err != nil {
		return nil, false, err
	}
	if !validText(m.ConversationID) {
		return nil, false, fmt.Errorf("conversation %q: %w", m.ConversationID, ErrNotFound)
	}
	msg := *m
	var dup, missing bool
	err := s.submit(ctx, &write{
		conversation: m.ConversationID,
		stored: func() []string {
			if dup || missing {
				return nil
			}
			return []string{storedLine(m.ConversationID, msg.Seq)}
		},
		sql:  `SELECT out_seq, out_created_at, out_dup FROM supportd_append_message($1, $2, $3, $4, $5, $6, $7)`,
		args: []any{m.ConversationID, m.ClientID, m.Author, m.AgentID, m.Text, jsonArg(m.Data), nullTime(m.CreatedAt)},
		scan: func(row pgx.Row) error {
			err := row.Scan(&msg.Seq, &msg.CreatedAt, &dup)
			if errors.Is(err, pgx.ErrNoRows) {
				missing = true
				return nil
			}
			return err
		},
	})
	if err != nil {
		return nil, false, errPostgres("append message", err)
	}
	if missing {
		return nil, false, fmt.Errorf("conversation %q: %w", m.ConversationID, ErrNotFound)
	}
	if dup {
		stored, err := s.storedMessage(ctx, m, msg.Seq)
		return stored, true, err
	}
	msg.CreatedAt = msg.CreatedAt.UTC()
	m.Seq, m.CreatedAt = msg.Seq, msg.CreatedAt
	return &msg, false, nil
}

// storedMessage reads back the message stored under m's client id, at
// seq.
func (s *Postgres) storedMessage(ctx context.Context, m *Message, seq int64) (*Message, error) {
	rows, err := s.pool.Query(ctx, selectMessages+" AND seq = $2", m.ConversationID, seq)
	if err != nil {
		return nil, errPostgres("append message", err)
	}
	list, err := scanMessages(rows, m.ConversationID, 1)
	if err == nil && len(list) == 0 {
		err = fmt.Errorf("client id %q is taken but its message is gone", m.ClientID)
	}
	if err != nil {
		return nil, errPostgres("append message", err)
	}
	return &list[0], nil
}

// AppendExchange implements [Store] with supportd_append_exchange
// (migration 0003), in a group commit.
func (s *Postgres) AppendExchange(ctx context.Context, m, reply *Message) (*Message, *Message, bool, error) {
	if err := checkExchange(m, reply); err != nil {
		return nil, nil, false, err
	}
	if !validText(m.ConversationID) {
		return nil, nil, false, fmt.Errorf("conversation %q: %w", m.ConversationID, ErrNotFound)
	}
	q, r := *m, *reply
	var (
		dup, missing bool
		replySeq     *int64
		replyAt      *time.Time
	)
	err := s.submit(ctx, &write{
		conversation: m.ConversationID,
		stored: func() []string {
			if dup || missing || replySeq == nil {
				return nil
			}
			return []string{storedLine(m.ConversationID, q.Seq), storedLine(m.ConversationID, *replySeq)}
		},
		sql: `SELECT out_seq, out_created_at, out_dup, out_reply_seq, out_reply_created_at
			FROM supportd_append_exchange($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		args: []any{m.ConversationID, m.ClientID, m.Author, m.AgentID, m.Text, jsonArg(m.Data), nullTime(m.CreatedAt),
			reply.Author, reply.AgentID, reply.Text, jsonArg(reply.Data), nullTime(reply.CreatedAt)},
		scan: func(row pgx.Row) error {
			err := row.Scan(&q.Seq, &q.CreatedAt, &dup, &replySeq, &replyAt)
			if errors.Is(err, pgx.ErrNoRows) {
				missing = true
				return nil
			}
			return err
		},
	})
	if err != nil {
		return nil, nil, false, errPostgres("append exchange", err)
	}
	if missing {
		return nil, nil, false, fmt.Errorf("conversation %q: %w", m.ConversationID, ErrNotFound)
	}
	if dup {
		stored, err := s.storedMessage(ctx, m, q.Seq)
		return stored, nil, true, err
	}
	if replySeq == nil || replyAt == nil {
		return nil, nil, false, errPostgres("append exchange", errors.New("the reply was not stored"))
	}
	q.CreatedAt = q.CreatedAt.UTC()
	r.Seq, r.CreatedAt = *replySeq, replyAt.UTC()
	m.Seq, m.CreatedAt = q.Seq, q.CreatedAt
	reply.Seq, reply.CreatedAt = r.Seq, r.CreatedAt
	return &q, &r, false, nil
}

// jsonArg is data for a jsonb parameter: NULL when empty.
func jsonArg(data []byte) any {
	if len(data) == 0 {
		return nil
	}
	return string(data)
}

const selectMessages = `
	SELECT seq, client_id, author, agent_id, text, data, created_at
	FROM messages WHERE conversation_id = $1`

// scanMessages reads the rows of selectMessages; sizeHint is how many
// rows to expect, or 0.
func scanMessages(rows pgx.Rows, conversationID string, sizeHint int) ([]Message, error) {
	defer rows.Close()
	list := make([]Message, 0, sizeHint)
	for rows.Next() {
		m := Message{ConversationID: conversationID}
		var data []byte
		if err := rows.Scan(&m.Seq, &m.ClientID, &m.Author, &m.AgentID, &m.Text, &data, &m.CreatedAt); err != nil {
			return nil, err
		}
		m.Data = data
		m.CreatedAt = m.CreatedAt.UTC()
		list = append(list, m)
	}
	return list, rows.Err()
}

// Messages implements [Store].
func (s *Postgres) Messages(ctx context.Context, conversationID string, afterSeq int64, limit int) ([]Message, error) {
	if !validText(conversationID) {
		return nil, nil
	}
	var lim any // NULL: no limit
	if limit > 0 {
		lim = int64(limit)
	}
	rows, err := s.pool.Query(ctx, selectMessages+" AND seq > $2 ORDER BY seq LIMIT $3", conversationID, afterSeq, lim)
	if err != nil {
		return nil, errPostgres("list messages", err)
	}
	list, err := scanMessages(rows, conversationID, min(max(limit, 0), 1000))
	if err != nil {
		return nil, errPostgres("list messages", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// RecordFeedback implements [Store].
func (s *Postgres) RecordFeedback(ctx context.Context, f Feedback) error {
	if err := checkFeedback(&f); err != nil {
		return err
	}
	if !validText(f.ConversationID) {
		return fmt.Errorf("conversation %q: %w", f.ConversationID, ErrNotFound)
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO feedback (conversation_id, article_id, seq, helpful, created_at)
		VALUES ($1, $2, $3, $4, coalesce($5, now()))
		ON CONFLICT (conversation_id, article_id) DO UPDATE
		SET seq = excluded.seq, helpful = excluded.helpful, created_at = excluded.created_at`,
		f.ConversationID, f.ArticleID, f.Seq, f.Helpful, nullTime(f.CreatedAt))
	if pgCode(err) == codeForeignKeyViolation {
		return fmt.Errorf("conversation %q: %w", f.ConversationID, ErrNotFound)
	}
	if err != nil {
		return errPostgres("record feedback", err)
	}
	return nil
}

// FeedbackByArticle implements [Store].
func (s *Postgres) FeedbackByArticle(ctx context.Context) ([]ArticleFeedback, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT article_id, count(*) FILTER (WHERE helpful), count(*) FILTER (WHERE NOT helpful)
		FROM feedback GROUP BY article_id ORDER BY article_id COLLATE "C"`)
	if err != nil {
		return nil, errPostgres("sum feedback", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ArticleFeedback, error) {
		var a ArticleFeedback
		err := row.Scan(&a.ArticleID, &a.Helpful, &a.NotHelpful)
		return a, err
	})
	if err != nil {
		return nil, errPostgres("sum feedback", err)
	}
	return list, nil
}

// Ping implements [Store]: it runs a query on a pooled connection.
func (s *Postgres) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return errPostgres("ping", err)
	}
	return nil
}

// Close closes the connections, waiting for those in use to be released.
// Calling it again does nothing.
func (s *Postgres) Close() error {
	s.stopGroupCommits()
	s.pool.Close()
	return nil
}
