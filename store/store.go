// Package store keeps everything of supportd that must survive a restart:
// conversations, their messages, the customers' feedback on articles and
// the outbox of emails to send ([Outbox], beside [Store]).
//
// Two implementations share one contract, checked by one conformance suite
// (storetest): an embedded store in a bbolt file, the default, and
// PostgreSQL through pgx, with versioned migrations. A method returns only
// once what it wrote is durable: a message that was acknowledged survives
// kill -9.
//
// Package store imports no other package of supportd.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Errors returned by stores; test them with errors.Is.
var (
	// ErrNotFound: no conversation with that id.
	ErrNotFound = errors.New("store: not found")
	// ErrUnavailable: the store cannot be reached or has failed; the
	// operation may be retried later. Nothing was written.
	ErrUnavailable = errors.New("store: unavailable")
	// ErrExists: a conversation with that id is already stored.
	ErrExists = errors.New("store: already exists")
	// ErrInvalid: the store cannot hold what it was given: an empty
	// conversation id, text that is not UTF-8 or holds a NUL byte, Data
	// that is not JSON. Retrying will not help. Nothing was written.
	ErrInvalid = errors.New("store: invalid")
)

// Authors of messages.
const (
	AuthorCustomer = "customer"
	AuthorBot      = "bot"
	AuthorAgent    = "agent"
	AuthorSystem   = "system"
	// AuthorNote marks an agent's internal note: the agents see it in
	// the transcript, the customer never does.
	AuthorNote = "note"
)

// Conversation is one chat between a customer and the shop.
type Conversation struct {
	// ID is public: it is shown to agents and in logs.
	ID string
	// TokenHash is the SHA-256 of the secret the widget presents to
	// resume the conversation.
	TokenHash []byte
	// CustomerID is the verified customer's id, or "" for a visitor.
	CustomerID string
	// Lang is the language of the customer's interface.
	Lang string
	// State is "bot", "queued", "agent" or "closed".
	State string
	// Agent is the login of the agent holding the conversation, or ""
	// when none does.
	Agent     string
	CreatedAt time.Time
	UpdatedAt time.Time
	// LastSeq is the sequence number of the conversation's last message.
	LastSeq int64
	// QueuedAt is when the conversation joined the queue, kept while an
	// agent holds it; zero while the assistant has it. Front marks one an
	// agent gave back, which goes before the others. DeskInfo is what
	// the desk keeps of the customer while the team has the
	// conversation (JSON, the chat's). [Desk.MoveConversation] sets them.
	QueuedAt time.Time
	Front    bool
	DeskInfo json.RawMessage
}

// Message is one message of a conversation.
type Message struct {
	ConversationID string
	// Seq numbers the messages of a conversation from 1, without gaps;
	// the store assigns it.
	Seq int64
	// ClientID is the id the customer's widget gave its message; a
	// message is stored once per ClientID and conversation. Empty for
	// the messages of the bot, agents and the system.
	ClientID string
	// Author is one of the Author constants.
	Author string
	// AgentID names the agent for AuthorAgent.
	AgentID string
	Text    string
	// Data holds what a reply carries besides its text (route, articles,
	// actions), as JSON; it is returned as equivalent JSON (PostgreSQL
	// keeps it as jsonb, which drops insignificant spaces and may reorder
	// keys). A string escape \u0000 cannot be stored.
	Data      json.RawMessage
	CreatedAt time.Time
}

// Feedback is a customer's vote on an article answered in a conversation.
// A new vote on the same article in the same conversation replaces the
// previous one.
type Feedback struct {
	ConversationID string
	ArticleID      string
	// Seq is the message the vote was given under.
	Seq       int64
	Helpful   bool
	CreatedAt time.Time
}

// ArticleFeedback sums up the votes on one article.
type ArticleFeedback struct {
	ArticleID  string
	Helpful    int
	NotHelpful int
}

// Store is the persistence that supportd's chat needs. Implementations are
// safe for concurrent use. Errors other than those documented wrap
// ErrUnavailable (and the context's error when the context ended); any
// method may return ErrInvalid for text fields that are not valid UTF-8 or
// that hold a NUL byte. Times are kept to the microsecond, in UTC.
type Store interface {
	// CreateConversation stores a new conversation; c.ID must be unique
	// (ErrExists) and not empty (ErrInvalid). It sets c.CreatedAt when
	// zero, and c.UpdatedAt to c.CreatedAt when zero; the conversation
	// starts with LastSeq 0 whatever c.LastSeq says. c.Agent is stored as
	// given.
	CreateConversation(ctx context.Context, c *Conversation) error
	// Conversation returns a conversation, or ErrNotFound.
	Conversation(ctx context.Context, id string) (*Conversation, error)
	// SetState changes a conversation's state and UpdatedAt, leaving its
	// Agent as it is; ErrNotFound if none.
	SetState(ctx context.Context, id, state string) error
	// SetAssignment sets a conversation's State, Agent ("" for none) and
	// UpdatedAt in one write; ErrNotFound if none.
	SetAssignment(ctx context.Context, id, state, agent string) error
	// ActiveConversations returns every conversation whose State is
	// "queued" or "agent", by UpdatedAt then ID (byte order): what a
	// starting process takes over.
	ActiveConversations(ctx context.Context) ([]Conversation, error)
	// AppendMessage stores m at the end of its conversation, setting
	// m.Seq and m.CreatedAt (when zero). When m.ClientID is set and a
	// message with that ClientID is already stored in the conversation,
	// nothing is written: the stored message is returned with dup true.
	// ErrNotFound if the conversation does not exist; ErrInvalid if
	// m.Data is set and is not JSON. The conversation's LastSeq and
	// UpdatedAt follow the message.
	AppendMessage(ctx context.Context, m *Message) (stored *Message, dup bool, err error)
	// AppendExchange stores a customer's message m and, when m is new,
	// reply right after it, in one transaction: both are stored or
	// neither, and they share one commit. When m.ClientID is already
	// stored, nothing is written: the stored message is returned with
	// dup true and a nil storedReply (the caller decides whether the
	// reply is still owed). reply must have no ClientID (ErrInvalid).
	// Otherwise as AppendMessage, for both.
	AppendExchange(ctx context.Context, m, reply *Message) (stored, storedReply *Message, dup bool, err error)
	// Messages returns up to limit messages of a conversation with a
	// sequence number above afterSeq, in order; a limit of 0 or less
	// means no limit. A conversation that does not exist has no messages.
	Messages(ctx context.Context, conversationID string, afterSeq int64, limit int) ([]Message, error)
	// RecordFeedback stores a vote, replacing the conversation's previous
	// vote on the same article; ErrNotFound if the conversation does not
	// exist. A zero f.CreatedAt is stored as the current time.
	RecordFeedback(ctx context.Context, f Feedback) error
	// FeedbackByArticle sums up the votes per article, ordered by article
	// id (byte order).
	FeedbackByArticle(ctx context.Context) ([]ArticleFeedback, error)
	// Ping reports whether the store can serve requests.
	Ping(ctx context.Context) error
	// Close releases the store.
	Close() error
}
