package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.etcd.io/bbolt"
)

var _ Store = (*Bolt)(nil)

// Layout of the bbolt file, version 2:
//
//	meta            "version" -> boltVersion, 8 bytes big-endian
//	conversations   id -> boltConversation, JSON (records written before
//	                conversations had an agent lack the field: no agent)
//	messages        id -> bucket: seq, 8 bytes big-endian -> boltMessage, JSON;
//	                then progressKey -> the conversation's progress
//	                (encodeProgress); then clientIDMark client id -> seq
//	client_ids      id -> bucket: client id -> seq, 8 bytes big-endian, as
//	                stores written before kept them: read, never written
//	feedback        uvarint(len(conversation id)) conversation id article id -> boltFeedback, JSON
//	desk_held       agent login NUL conversation id -> nothing (desk_bolt.go)
//
// Version 1 kept a conversation's last sequence number and time of change
// in its record only. Version 2 reads such a record as it is until the
// conversation's next message writes its progress; a version 1 file is
// marked version 2 when opened, so that an older supportd, which would
// read the record alone and number messages again from an old last
// sequence number, refuses it.
var (
	bucketMeta          = []byte("meta")
	bucketConversations = []byte("conversations")
	bucketMessages      = []byte("messages")
	bucketClientIDs     = []byte("client_ids")
	bucketFeedback      = []byte("feedback")
	keyVersion          = []byte("version")
)

const boltVersion = 2

// Bolt is a [Store] in one bbolt file, for a single supportd process.
// Every write is fsynced before it returns; concurrent writes are grouped
// into one transaction (and one fsync) by the group commit (boltGroup).
type Bolt struct {
	db *bbolt.DB
	// group commits the writes, several to a transaction under load.
	group *boltGroup
	// ahead keeps the file written past the end of the data; nil: not.
	ahead *fileAhead
}

// OpenBolt opens the store in the file at path, creating the file and its
// parent directories if needed. Only one process may open a file at a
// time: when another holds it, OpenBolt gives up after a second with an
// error wrapping [ErrUnavailable].
func OpenBolt(path string) (*Bolt, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	// A large initial mapping spares remapping, which stops every
	// transaction, while the file grows; the map freelist is faster to
	// update on each commit than the array one.
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second, InitialMmapSize: 256 << 20, FreelistType: bbolt.FreelistMapType})
	if err != nil {
		if errors.Is(err, bbolt.ErrTimeout) {
			err = fmt.Errorf("%s is locked by another process", path)
		}
		return nil, fmt.Errorf("%w: open %s: %w", ErrUnavailable, path, err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		if v := meta.Get(keyVersion); v != nil {
			if len(v) != 8 || binary.BigEndian.Uint64(v) < 1 || binary.BigEndian.Uint64(v) > boltVersion {
				return fmt.Errorf("unknown layout version %x: written by another version of supportd?", v)
			}
		}
		if err := meta.Put(keyVersion, seqKey(boltVersion)); err != nil {
			return err
		}
		for _, name := range [][]byte{bucketConversations, bucketMessages, bucketClientIDs, bucketFeedback} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return openHeldIndex(tx)
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%w: open %s: %w", ErrUnavailable, path, err)
	}
	ahead := newFileAhead(db, path)
	return &Bolt{db: db, group: newBoltGroup(db, ahead), ahead: ahead}, nil
}

// boltConversation is a [Conversation] as stored.
type boltConversation struct {
	TokenHash  []byte    `json:"token_hash,omitempty"`
	CustomerID string    `json:"customer_id,omitempty"`
	Lang       string    `json:"lang,omitempty"`
	State      string    `json:"state,omitempty"`
	Agent      string    `json:"agent,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	LastSeq    int64     `json:"last_seq"`
	QueuedAt   time.Time `json:"queued_at,omitzero"`
	Front      bool      `json:"front,omitempty"`
	DeskInfo   []byte    `json:"desk_info,omitempty"`
}

func (rec *boltConversation) conversation(id string) Conversation {
	return Conversation{
		ID:         id,
		TokenHash:  rec.TokenHash,
		CustomerID: rec.CustomerID,
		Lang:       rec.Lang,
		State:      rec.State,
		Agent:      rec.Agent,
		CreatedAt:  rec.CreatedAt,
		UpdatedAt:  rec.UpdatedAt,
		LastSeq:    rec.LastSeq,
		QueuedAt:   rec.QueuedAt,
		Front:      rec.Front,
		DeskInfo:   rec.DeskInfo,
	}
}

// boltMessage is a [Message] as stored.
type boltMessage struct {
	boltMessageBody
	CreatedAt time.Time `json:"created_at"`
}

// boltMessageBody is what a message's record holds besides its time.
// Data is a []byte, not a json.RawMessage, so that encoding/json keeps it
// byte for byte.
type boltMessageBody struct {
	ClientID string `json:"client_id,omitempty"`
	Author   string `json:"author"`
	AgentID  string `json:"agent_id,omitempty"`
	Text     string `json:"text"`
	Data     []byte `json:"data,omitempty"`
}

// boltFeedback is a [Feedback] as stored.
type boltFeedback struct {
	Seq       int64     `json:"seq"`
	Helpful   bool      `json:"helpful"`
	CreatedAt time.Time `json:"created_at"`
}

// errBolt wraps an error of bbolt or of encoding in ErrUnavailable, and
// passes the store's own errors through.
func errBolt(op string, err error) error {
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrExists) || errors.Is(err, ErrInvalid) || isDeskError(err) {
		return err
	}
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, op, err)
}

// CreateConversation implements [Store].
func (s *Bolt) CreateConversation(ctx context.Context, c *Conversation) error {
	if err := ctx.Err(); err != nil {
		return errBolt("create conversation", err)
	}
	if err := checkConversation(c); err != nil {
		return err
	}
	created := storedTime(c.CreatedAt)
	if c.CreatedAt.IsZero() {
		created = storedTime(time.Now())
	}
	updated := created
	if !c.UpdatedAt.IsZero() {
		updated = storedTime(c.UpdatedAt)
	}
	rec := boltConversation{
		TokenHash:  c.TokenHash,
		CustomerID: c.CustomerID,
		Lang:       c.Lang,
		State:      c.State,
		Agent:      c.Agent,
		CreatedAt:  created,
		UpdatedAt:  updated,
	}
	v, err := json.Marshal(rec)
	if err != nil {
		return errBolt("create conversation", err)
	}
	err = s.group.write(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketConversations)
		if b.Get([]byte(c.ID)) != nil {
			return fmt.Errorf("conversation %q: %w", c.ID, ErrExists)
		}
		if err := indexHeld(tx, c.ID, nil, &rec); err != nil {
			return err
		}
		return b.Put([]byte(c.ID), v)
	})
	if err != nil {
		return errBolt("create conversation", err)
	}
	c.CreatedAt, c.UpdatedAt, c.LastSeq = created, updated, 0
	return nil
}

// Conversation implements [Store].
func (s *Bolt) Conversation(ctx context.Context, id string) (*Conversation, error) {
	if err := ctx.Err(); err != nil {
		return nil, errBolt("get conversation", err)
	}
	var c *Conversation
	err := s.db.View(func(tx *bbolt.Tx) error {
		rec, err := getConversation(tx, id)
		if err != nil {
			return err
		}
		conv := rec.conversation(id)
		c = &conv
		return nil
	})
	if err != nil {
		return nil, errBolt("get conversation", err)
	}
	return c, nil
}

// getConversation reads a conversation, or returns ErrNotFound.
func getConversation(tx *bbolt.Tx, id string) (*boltConversation, error) {
	if id == "" {
		return nil, fmt.Errorf("conversation %q: %w", id, ErrNotFound)
	}
	v := tx.Bucket(bucketConversations).Get([]byte(id))
	if v == nil {
		return nil, fmt.Errorf("conversation %q: %w", id, ErrNotFound)
	}
	var rec boltConversation
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("conversation %q: %w", id, err)
	}
	rec.withProgress(tx, []byte(id))
	return &rec, nil
}

// withProgress brings the record's last sequence number and time of
// change up to the progress its conversation's messages wrote since the
// record was (see progressKey).
func (rec *boltConversation) withProgress(tx *bbolt.Tx, id []byte) {
	msgs := tx.Bucket(bucketMessages).Bucket(id)
	if msgs == nil {
		return
	}
	lastSeq, updated, ok := decodeProgress(msgs.Get(progressKey))
	if !ok {
		return
	}
	rec.LastSeq = max(rec.LastSeq, lastSeq)
	if updated.After(rec.UpdatedAt) {
		rec.UpdatedAt = updated
	}
}

// progressKey is the key of a conversation's progress in its bucket of
// messages: the sequence number of its last message and when that
// message was stored, which every message moves. It is kept there, beside
// the newest messages on the page that storing one rewrites anyway,
// rather than in the conversation's record, so that storing a message
// does not rewrite the record's page too: that was a quarter of the pages
// an exchange wrote (TestExchangeLeavesRecord, BenchmarkExchangePages,
// docs/benchmarks.md). It sorts after the sequence numbers and before the
// client ids. The record keeps the progress it had when it was last
// written; the conversation's is the later of the two.
var progressKey = []byte{0xFE}

// encodeProgress encodes a conversation's progress: the last sequence
// number and the time in Unix microseconds, 8 bytes big-endian each.
func encodeProgress(lastSeq int64, updated time.Time) []byte {
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 16), uint64(lastSeq))
	return binary.BigEndian.AppendUint64(v, uint64(updated.UnixMicro()))
}

// decodeProgress decodes what encodeProgress encoded; ok is false for
// anything else, such as no value.
func decodeProgress(v []byte) (lastSeq int64, updated time.Time, ok bool) {
	if len(v) != 16 {
		return 0, time.Time{}, false
	}
	return int64(binary.BigEndian.Uint64(v)), time.UnixMicro(int64(binary.BigEndian.Uint64(v[8:]))).UTC(), true
}

func putConversation(tx *bbolt.Tx, id string, rec *boltConversation) error {
	v, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketConversations).Put([]byte(id), v)
}

// SetState implements [Store].
func (s *Bolt) SetState(ctx context.Context, id, state string) error {
	if err := checkText("state", state); err != nil {
		return err
	}
	return s.updateConversation(ctx, "set state", id, func(rec *boltConversation) { rec.State = state })
}

// SetAssignment implements [Store].
func (s *Bolt) SetAssignment(ctx context.Context, id, state, agent string) error {
	if err := checkText("state", state, "agent", agent); err != nil {
		return err
	}
	return s.updateConversation(ctx, "set assignment", id, func(rec *boltConversation) { rec.State, rec.Agent = state, agent })
}

// updateConversation runs change on the conversation id, sets its
// UpdatedAt to now and stores it; ErrNotFound if none.
func (s *Bolt) updateConversation(ctx context.Context, op, id string, change func(rec *boltConversation)) error {
	if err := ctx.Err(); err != nil {
		return errBolt(op, err)
	}
	err := s.group.write(func(tx *bbolt.Tx) error {
		rec, err := getConversation(tx, id)
		if err != nil {
			return err
		}
		old := *rec
		change(rec)
		rec.UpdatedAt = storedTime(time.Now())
		if err := indexHeld(tx, id, &old, rec); err != nil {
			return err
		}
		return putConversation(tx, id, rec)
	})
	if err != nil {
		return errBolt(op, err)
	}
	return nil
}

// ActiveConversations implements [Store] by reading every conversation:
// there is no index of the states. It is meant to run once, at start-up,
// not for each request.
func (s *Bolt) ActiveConversations(ctx context.Context) ([]Conversation, error) {
	if err := ctx.Err(); err != nil {
		return nil, errBolt("list active conversations", err)
	}
	list, err := s.scanConversations(func(rec *boltConversation) bool { return rec.State == "queued" || rec.State == "agent" })
	if err != nil {
		return nil, errBolt("list active conversations", err)
	}
	sortConversations(list, func(c *Conversation) time.Time { return c.UpdatedAt })
	return list, nil
}

// scanConversations reads every conversation and returns those keep
// keeps: there is no index of the conversations but by id, so the
// readers of many (a start, a report, the retention) read them all.
func (s *Bolt) scanConversations(keep func(rec *boltConversation) bool) ([]Conversation, error) {
	var list []Conversation
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketConversations).ForEach(func(k, v []byte) error {
			var rec boltConversation
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("conversation %q: %w", k, err)
			}
			rec.withProgress(tx, k)
			if keep(&rec) {
				list = append(list, rec.conversation(string(k)))
			}
			return nil
		})
	})
	return list, err
}

// sortConversations sorts conversations by the time at, then by id.
func sortConversations(list []Conversation, at func(*Conversation) time.Time) {
	slices.SortFunc(list, func(a, b Conversation) int {
		if c := at(&a).Compare(at(&b)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// appendInTx appends m, whose record body is encoded (see encodeMessage),
// to its conversation in tx; see AppendMessage.
func appendInTx(tx *bbolt.Tx, m *Message, encoded []byte) (stored *Message, dup bool, err error) {
	tail, err := openTail(tx, m.ConversationID)
	if err != nil {
		return nil, false, err
	}
	return tail.append(tx, m, encoded)
}

// conversationTail is where a conversation's next message goes: its
// bucket of messages and the sequence number of its last message.
type conversationTail struct {
	id      []byte
	msgs    *bbolt.Bucket
	lastSeq int64
}

// openTail opens the tail of the conversation id in tx, creating its
// bucket of messages if needed; ErrNotFound if there is no such
// conversation. The last sequence number is the progress's when the
// conversation has one (a record is only ever written with the progress
// of its time, so it never has a later one), the record's otherwise: a
// conversation without messages, or one of version 1 (see the layout).
// The record is not decoded on the way of every message.
func openTail(tx *bbolt.Tx, conversationID string) (*conversationTail, error) {
	id := []byte(conversationID)
	var rec []byte
	if len(id) > 0 {
		rec = tx.Bucket(bucketConversations).Get(id)
	}
	if rec == nil {
		return nil, fmt.Errorf("conversation %q: %w", conversationID, ErrNotFound)
	}
	msgs, err := tx.Bucket(bucketMessages).CreateBucketIfNotExists(id)
	if err != nil {
		return nil, err
	}
	tail := &conversationTail{id: id, msgs: msgs}
	if lastSeq, _, ok := decodeProgress(msgs.Get(progressKey)); ok {
		tail.lastSeq = lastSeq
		return tail, nil
	}
	var conv boltConversation
	if err := json.Unmarshal(rec, &conv); err != nil {
		return nil, fmt.Errorf("conversation %q: %w", conversationID, err)
	}
	tail.lastSeq = conv.LastSeq
	return tail, nil
}

// append stores a message of the conversation and its progress
// (progressKey); encoded is the message's record without its time (see
// encodeMessage). The conversation's record is not written. A message
// whose client id is stored already is not stored again: dup is true,
// and stored the message stored first.
func (t *conversationTail) append(tx *bbolt.Tx, m *Message, encoded []byte) (stored *Message, dup bool, err error) {
	if m.ClientID != "" {
		if key := clientIDIndexed(tx, t.msgs, t.id, m.ClientID); key != nil {
			stored, err := getMessage(tx, m.ConversationID, key)
			return stored, true, err
		}
	}
	t.msgs.FillPercent = 0.9 // messages' keys only grow; client ids sort after them
	now := storedTime(time.Now())
	msg := *m
	msg.Seq = t.lastSeq + 1
	msg.CreatedAt = storedTime(m.CreatedAt)
	if m.CreatedAt.IsZero() {
		msg.CreatedAt = now
	}
	key := seqKey(msg.Seq)
	if err := t.msgs.Put(key, stampMessage(encoded, msg.CreatedAt)); err != nil {
		return nil, false, err
	}
	if msg.ClientID != "" {
		if err := t.msgs.Put(clientIDKey(msg.ClientID), key); err != nil {
			return nil, false, err
		}
	}
	if err := t.msgs.Put(progressKey, encodeProgress(msg.Seq, now)); err != nil {
		return nil, false, err
	}
	t.lastSeq = msg.Seq
	return &msg, false, nil
}

// encodeMessage encodes what a message's record holds besides its time:
// [boltMessage] as JSON, without created_at and the closing brace. It is
// done before the transaction, which only adds the time
// ([stampMessage]): the transactions of the store are made one after the
// other, and the encoding of the messages they hold need not be. The
// slice leaves room after it for the time, so that stampMessage need not
// copy the record.
func encodeMessage(m *Message) ([]byte, error) {
	if y := storedTime(m.CreatedAt).Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("%w: message time %v out of range", ErrInvalid, m.CreatedAt)
	}
	// Room for the fields, a few escapes, the base64 of Data and the time.
	size := 64 + len(m.ClientID) + len(m.Author) + len(m.AgentID) + len(m.Text)*9/8 + base64.StdEncoding.EncodedLen(len(m.Data)) + stampRoom
	buf := bytes.NewBuffer(make([]byte, 0, size))
	// json.Encoder writes what json.Marshal returns, then a newline.
	err := json.NewEncoder(buf).Encode(boltMessageBody{
		ClientID: m.ClientID,
		Author:   m.Author,
		AgentID:  m.AgentID,
		Text:     m.Text,
		Data:     m.Data,
	})
	if err != nil {
		return nil, err
	}
	v := buf.Bytes()
	return v[:len(v)-len("}\n")], nil
}

// stampRoom is the most that stampMessage adds to a record.
const stampRoom = len(`,"created_at":"`) + len(time.RFC3339Nano) + len(`"}`)

// stampMessage completes a record that [encodeMessage] began with the
// message's time, as json.Marshal of a [boltMessage] writes it, in the
// room encodeMessage left after it. A transaction run again (see
// boltGroup) writes the same room again: the value of the one rolled
// back is not read any more.
func stampMessage(encoded []byte, createdAt time.Time) []byte {
	v := slices.Grow(encoded, stampRoom)
	v = append(v, `,"created_at":"`...)
	v = createdAt.AppendFormat(v, time.RFC3339Nano)
	return append(v, `"}`...)
}

// AppendMessage implements [Store]. The sequence number is assigned, and
// the client id checked, in the transaction that stores the message.
func (s *Bolt) AppendMessage(ctx context.Context, m *Message) (*Message, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, errBolt("append message", err)
	}
	if err := checkMessage(m); err != nil {
		return nil, false, err
	}
	var (
		stored *Message
		dup    bool
	)
	// Batch may run the function more than once: it sets stored and dup
	// afresh each time.
	encoded, err := encodeMessage(m)
	if err != nil {
		return nil, false, errBolt("append message", err)
	}
	err = s.group.write(func(tx *bbolt.Tx) (err error) {
		stored, dup, err = appendInTx(tx, m, encoded)
		return err
	})
	if err != nil {
		return nil, false, errBolt("append message", err)
	}
	if !dup {
		m.Seq, m.CreatedAt = stored.Seq, stored.CreatedAt
	}
	return stored, dup, nil
}

// AppendExchange implements [Store].
func (s *Bolt) AppendExchange(ctx context.Context, m, reply *Message) (*Message, *Message, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, false, errBolt("append exchange", err)
	}
	if err := checkExchange(m, reply); err != nil {
		return nil, nil, false, err
	}
	var (
		stored, storedReply *Message
		dup                 bool
	)
	encoded, err := encodeMessage(m)
	if err != nil {
		return nil, nil, false, errBolt("append exchange", err)
	}
	encodedReply, err := encodeMessage(reply)
	if err != nil {
		return nil, nil, false, errBolt("append exchange", err)
	}
	err = s.group.write(func(tx *bbolt.Tx) (err error) {
		storedReply = nil
		tail, err := openTail(tx, m.ConversationID)
		if err != nil {
			return err
		}
		stored, dup, err = tail.append(tx, m, encoded)
		if err != nil || dup {
			return err
		}
		storedReply, _, err = tail.append(tx, reply, encodedReply)
		return err
	})
	if err != nil {
		return nil, nil, false, errBolt("append exchange", err)
	}
	if !dup {
		m.Seq, m.CreatedAt = stored.Seq, stored.CreatedAt
		reply.Seq, reply.CreatedAt = storedReply.Seq, storedReply.CreatedAt
	}
	return stored, storedReply, dup, nil
}

// A conversation's bucket of messages also holds the client ids of its
// customers' messages, each under clientIDMark and the id, with the key
// of the message: they sort after every sequence number, and a message
// stored with its client id dirties one bucket, not two. Stores written
// before kept the client ids in a bucket of their own (bucketClientIDs),
// which is still read, never written.
const clientIDMark = 0xFF

// clientIDKey is the key of a client id in its conversation's bucket of
// messages.
func clientIDKey(clientID string) []byte { return append([]byte{clientIDMark}, clientID...) }

// isSeqKey reports whether a key of a conversation's bucket of messages
// is a message's, not a client id's.
func isSeqKey(k []byte) bool { return len(k) == 8 && k[0] != clientIDMark }

// clientIDIndexed returns the key of the message stored with a client id
// in a conversation (id, its bucket of messages msgs), or nil.
func clientIDIndexed(tx *bbolt.Tx, msgs *bbolt.Bucket, id []byte, clientID string) []byte {
	if key := msgs.Get(clientIDKey(clientID)); key != nil {
		return key
	}
	if old := tx.Bucket(bucketClientIDs).Bucket(id); old != nil {
		return old.Get([]byte(clientID))
	}
	return nil
}

// getMessage reads the message at key, a sequence number in 8 bytes.
func getMessage(tx *bbolt.Tx, conversationID string, key []byte) (*Message, error) {
	var v []byte
	if b := tx.Bucket(bucketMessages).Bucket([]byte(conversationID)); b != nil {
		v = b.Get(key)
	}
	if v == nil || len(key) != 8 {
		return nil, fmt.Errorf("conversation %q: message %x is indexed but missing", conversationID, key)
	}
	return decodeMessage(conversationID, key, v)
}

func decodeMessage(conversationID string, key, v []byte) (*Message, error) {
	var rec boltMessage
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("conversation %q: message %x: %w", conversationID, key, err)
	}
	return &Message{
		ConversationID: conversationID,
		Seq:            int64(binary.BigEndian.Uint64(key)),
		ClientID:       rec.ClientID,
		Author:         rec.Author,
		AgentID:        rec.AgentID,
		Text:           rec.Text,
		Data:           json.RawMessage(rec.Data),
		CreatedAt:      rec.CreatedAt,
	}, nil
}

// seqKey encodes n as a key that sorts in numeric order.
func seqKey(n int64) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(n))
}

// Messages implements [Store].
func (s *Bolt) Messages(ctx context.Context, conversationID string, afterSeq int64, limit int) ([]Message, error) {
	if err := ctx.Err(); err != nil {
		return nil, errBolt("list messages", err)
	}
	if conversationID == "" {
		return nil, nil
	}
	afterSeq = max(afterSeq, 0)
	var list []Message
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketMessages).Bucket([]byte(conversationID))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(seqKey(afterSeq + 1)); isSeqKey(k) && (limit <= 0 || len(list) < limit); k, v = c.Next() {
			m, err := decodeMessage(conversationID, k, v)
			if err != nil {
				return err
			}
			list = append(list, *m)
		}
		return nil
	})
	if err != nil {
		return nil, errBolt("list messages", err)
	}
	return list, nil
}

// feedbackKey is the key of the vote on an article in a conversation.
func feedbackKey(conversationID, articleID string) []byte {
	k := binary.AppendUvarint(nil, uint64(len(conversationID)))
	k = append(k, conversationID...)
	return append(k, articleID...)
}

// splitFeedbackKey returns the article id of a feedback key.
func splitFeedbackKey(k []byte) (articleID string, err error) {
	n, size := binary.Uvarint(k)
	if size <= 0 || uint64(len(k)-size) < n {
		return "", fmt.Errorf("malformed feedback key %x", k)
	}
	return string(k[size+int(n):]), nil
}

// decodeFeedback reads a vote as stored: its article, from the key, and
// its record.
func decodeFeedback(k, v []byte) (articleID string, rec boltFeedback, err error) {
	if articleID, err = splitFeedbackKey(k); err != nil {
		return "", rec, err
	}
	if err := json.Unmarshal(v, &rec); err != nil {
		return "", rec, fmt.Errorf("feedback %x: %w", k, err)
	}
	return articleID, rec, nil
}

// RecordFeedback implements [Store].
func (s *Bolt) RecordFeedback(ctx context.Context, f Feedback) error {
	if err := ctx.Err(); err != nil {
		return errBolt("record feedback", err)
	}
	if err := checkFeedback(&f); err != nil {
		return err
	}
	created := storedTime(f.CreatedAt)
	if f.CreatedAt.IsZero() {
		created = storedTime(time.Now())
	}
	v, err := json.Marshal(boltFeedback{Seq: f.Seq, Helpful: f.Helpful, CreatedAt: created})
	if err != nil {
		return errBolt("record feedback", err)
	}
	err = s.group.write(func(tx *bbolt.Tx) error {
		if _, err := getConversation(tx, f.ConversationID); err != nil {
			return err
		}
		return tx.Bucket(bucketFeedback).Put(feedbackKey(f.ConversationID, f.ArticleID), v)
	})
	if err != nil {
		return errBolt("record feedback", err)
	}
	return nil
}

// FeedbackByArticle implements [Store]. It reads every vote: it is meant
// for reports, not for each request.
func (s *Bolt) FeedbackByArticle(ctx context.Context) ([]ArticleFeedback, error) {
	if err := ctx.Err(); err != nil {
		return nil, errBolt("sum feedback", err)
	}
	sums := make(map[string]*ArticleFeedback)
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketFeedback).ForEach(func(k, v []byte) error {
			article, rec, err := decodeFeedback(k, v)
			if err != nil {
				return err
			}
			sum := sums[article]
			if sum == nil {
				sum = &ArticleFeedback{ArticleID: article}
				sums[article] = sum
			}
			if rec.Helpful {
				sum.Helpful++
			} else {
				sum.NotHelpful++
			}
			return nil
		})
	})
	if err != nil {
		return nil, errBolt("sum feedback", err)
	}
	list := make([]ArticleFeedback, 0, len(sums))
	for _, sum := range sums {
		list = append(list, *sum)
	}
	slices.SortFunc(list, func(a, b ArticleFeedback) int { return strings.Compare(a.ArticleID, b.ArticleID) })
	return list, nil
}

// Ping implements [Store]: it reads the file.
func (s *Bolt) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return errBolt("ping", err)
	}
	err := s.db.View(func(tx *bbolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyVersion); !bytes.Equal(v, seqKey(boltVersion)) {
			return fmt.Errorf("layout version %x, want %d", v, boltVersion)
		}
		return nil
	})
	if err != nil {
		return errBolt("ping", err)
	}
	return nil
}

// Close closes the file; it waits for the transactions under way. Calling
// it again does nothing.
func (s *Bolt) Close() error {
	s.group.close()
	s.ahead.close()
	if err := s.db.Close(); err != nil {
		return errBolt("close", err)
	}
	return nil
}
