package chat

import (
	"bytes"
	"encoding/json"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// ProtocolVersion is the version of docs/protocol.md this package speaks.
// Version 2 adds the draft frames of an answer being written; a widget of
// version 1 is still served, without them.
const ProtocolVersion = 2

// minProtocolVersion is the oldest version still served.
const minProtocolVersion = 1

// Limits of the protocol.
const (
	// MaxFrameSize is the largest frame accepted, in bytes.
	MaxFrameSize = 16 << 10
	// MaxTextLength is the longest message text, in characters.
	MaxTextLength = 4000
)

// Error codes sent in error frames; see docs/protocol.md.
const (
	CodeBadFrame             = "bad_frame"
	CodeUnknownType          = "unknown_type"
	CodeVersion              = "version"
	CodeHelloRequired        = "hello_required"
	CodeInvalid              = "invalid"
	CodeTooLong              = "too_long"
	CodeRateLimited          = "rate_limited"
	CodeConversationNotFound = "conversation_not_found"
	CodeCustomerToken        = "customer_token_invalid"
	CodeInvalidEmail         = "invalid_email"
	CodeFormUsed             = "form_used"
	CodeIntakeLimit          = "intake_limit"
	CodeUnavailable          = "unavailable"
	CodeInternal             = "internal"
)

// ClientFrame is a frame from the widget. Fields not used by a type are
// left zero.
type ClientFrame struct {
	Type string `json:"type"`
	// hello
	V             int    `json:"v"`
	Locale        string `json:"locale"`
	Conversation  string `json:"conversation"`
	Token         string `json:"token"`
	LastSeq       int64  `json:"last_seq"`
	CustomerToken string `json:"customer_token"`
	// message, action
	ClientID string `json:"client_id"`
	Text     string `json:"text"`
	Action   string `json:"action"`
	Seq      int64  `json:"seq"`
	// intake
	Email string `json:"email"`
	// survey: the rating, 1 to 5, and a comment
	Rating  int    `json:"rating"`
	Comment string `json:"comment"`
	// typing
	On bool `json:"on"`
}

// plainText reports whether s is valid UTF-8 without control characters
// other than tabs and line breaks: a NUL byte cannot be stored, and the
// other controls have no place in a message.
func plainText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' && r != '\r' || r == 0x7f {
			return false
		}
	}
	return true
}

// FrameError is a frame the server cannot accept, with the error code and
// the client id it concerned, if any.
type FrameError struct {
	Code     string
	ClientID string
	Detail   string
}

func (e *FrameError) Error() string { return e.Code + ": " + e.Detail }

// DecodeClientFrame parses and validates one frame from the widget.
func DecodeClientFrame(data []byte) (ClientFrame, *FrameError) {
	var f ClientFrame
	if err := decodeObject(data, &f); err != nil {
		return ClientFrame{}, err
	}
	switch f.Type {
	case "hello":
		if f.V < minProtocolVersion || f.V > ProtocolVersion {
			return f, &FrameError{Code: CodeVersion, Detail: "unsupported protocol version"}
		}
		if f.LastSeq < 0 {
			return f, &FrameError{Code: CodeInvalid, Detail: "last_seq must not be negative"}
		}
		switch f.Locale {
		case "":
			f.Locale = "fr"
		case "fr", "en":
		default:
			f.Locale = "fr"
		}
	case "message":
		if !validClientID(f.ClientID) {
			return f, &FrameError{Code: CodeInvalid, Detail: "client_id must be 8 to 64 characters of A-Z a-z 0-9 _ -"}
		}
		f.Text = strings.TrimSpace(f.Text)
		if f.Text == "" {
			return f, &FrameError{Code: CodeInvalid, ClientID: f.ClientID, Detail: "empty message"}
		}
		if !plainText(f.Text) {
			return f, &FrameError{Code: CodeInvalid, ClientID: f.ClientID, Detail: "text is not plain UTF-8 text"}
		}
		if utf8.RuneCountInString(f.Text) > MaxTextLength {
			return f, &FrameError{Code: CodeTooLong, ClientID: f.ClientID, Detail: "message too long"}
		}
	case "action":
		if !validClientID(f.ClientID) {
			return f, &FrameError{Code: CodeInvalid, Detail: "client_id must be 8 to 64 characters of A-Z a-z 0-9 _ -"}
		}
		if !validAction(f.Action) {
			return f, &FrameError{Code: CodeInvalid, ClientID: f.ClientID, Detail: "unknown action"}
		}
		if f.Seq < 0 {
			return f, &FrameError{Code: CodeInvalid, ClientID: f.ClientID, Detail: "seq must not be negative"}
		}
	case "intake":
		if !validClientID(f.ClientID) {
			return f, &FrameError{Code: CodeInvalid, Detail: "client_id must be 8 to 64 characters of A-Z a-z 0-9 _ -"}
		}
		f.Text = strings.TrimSpace(f.Text)
		if f.Text == "" || !plainText(f.Text) {
			return f, &FrameError{Code: CodeInvalid, ClientID: f.ClientID, Detail: "empty message, or not plain UTF-8 text"}
		}
		if utf8.RuneCountInString(f.Text) > MaxTextLength {
			return f, &FrameError{Code: CodeTooLong, ClientID: f.ClientID, Detail: "message too long"}
		}
		email, ok := validEmail(f.Email)
		if !ok {
			return f, &FrameError{Code: CodeInvalidEmail, ClientID: f.ClientID, Detail: "not an email address"}
		}
		f.Email = email
	case "survey":
		if !validClientID(f.ClientID) {
			return f, &FrameError{Code: CodeInvalid, Detail: "client_id must be 8 to 64 characters of A-Z a-z 0-9 _ -"}
		}
		if f.Rating < 1 || f.Rating > 5 || f.Seq < 1 {
			return f, &FrameError{Code: CodeInvalid, ClientID: f.ClientID, Detail: "rating is 1 to 5, seq the survey's message"}
		}
		f.Comment = strings.TrimSpace(f.Comment)
		if !plainText(f.Comment) {
			return f, &FrameError{Code: CodeInvalid, ClientID: f.ClientID, Detail: "comment is not plain UTF-8 text"}
		}
		if utf8.RuneCountInString(f.Comment) > 1000 {
			return f, &FrameError{Code: CodeTooLong, ClientID: f.ClientID, Detail: "comment too long"}
		}
	case "typing":
	case "":
		return f, &FrameError{Code: CodeBadFrame, Detail: "missing type"}
	default:
		return f, &FrameError{Code: CodeUnknownType, Detail: "unknown frame type"}
	}
	return f, nil
}

// decodeObject decodes a frame that must be exactly one JSON object into
// v.
func decodeObject(data []byte, v any) *FrameError {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return &FrameError{Code: CodeBadFrame, Detail: "a frame is one JSON object"}
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(v); err != nil {
		return &FrameError{Code: CodeBadFrame, Detail: "not valid JSON for a frame: " + err.Error()}
	}
	if dec.More() {
		return &FrameError{Code: CodeBadFrame, Detail: "one JSON object per frame"}
	}
	return nil
}

func validClientID(id string) bool {
	return len(id) >= 8 && len(id) <= 64 && idChars(id)
}

// idChars reports whether s holds only A-Z a-z 0-9 _ -.
func idChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validEmail returns the address if s is one plain email address
// ("nom@domaine.fr", no display name), trimmed.
func validEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 254 || !utf8.ValidString(s) {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", false
	}
	local, domain, _ := strings.Cut(s, "@")
	return s, local != "" && strings.Contains(domain, ".") && !strings.HasSuffix(domain, ".")
}

// validOrderNumber accepts 1 to 64 characters of A-Z a-z 0-9 _ -.
func validOrderNumber(n string) bool {
	return n != "" && len(n) <= 64 && idChars(n)
}

// Actions a customer can take.
const (
	ActionHandoff    = "handoff"
	ActionHelpful    = "helpful:yes"
	ActionNotHelpful = "helpful:no"
	// ActionOrders asks for the list of the customer's recent orders.
	ActionOrders  = "orders"
	actionArticle = "article:"
	// actionOrder picks an order: "order:<number>", or asks one thing of
	// it: "order:<number>:cancel", "order:<number>:invoice".
	actionOrder = "order:"
)

func validAction(a string) bool {
	switch a {
	case ActionHandoff, ActionHelpful, ActionNotHelpful, ActionOrders:
		return true
	}
	if rest, ok := strings.CutPrefix(a, actionOrder); ok {
		number, question, _ := strings.Cut(rest, ":")
		return validOrderNumber(number) && (question == "" || question == "cancel" || question == "invoice")
	}
	id, ok := strings.CutPrefix(a, actionArticle)
	return ok && id != "" && len(id) <= 200 && utf8.ValidString(id)
}

// Server frames.

type welcomeFrame struct {
	Type         string `json:"type"`
	V            int    `json:"v"`
	Conversation string `json:"conversation"`
	State        string `json:"state"`
	LastSeq      int64  `json:"last_seq"`
	// Customer is set when the hello's customer token was valid.
	Customer *customerInfo `json:"customer,omitempty"`
	// Start is what the widget shows before any question.
	Start *startScreen `json:"start,omitempty"`
}

// startScreen is the widget's start screen: who answers and how to reach
// a person, today's hours, the shop's topics and their questions, the
// questions asked most.
type startScreen struct {
	Greeting string       `json:"greeting"`
	Hours    string       `json:"hours"`
	Topics   []startTopic `json:"topics"`
	Frequent []ArticleRef `json:"frequent"`
}

type startTopic struct {
	Name     string       `json:"name"`
	Articles []ArticleRef `json:"articles"`
}

// customerInfo is what the widget is told of the verified customer.
type customerInfo struct {
	Name string `json:"name"`
}

type conversationFrame struct {
	Type         string `json:"type"`
	Conversation string `json:"conversation"`
	Token        string `json:"token"`
}

type ackFrame struct {
	Type     string `json:"type"`
	ClientID string `json:"client_id"`
	Seq      int64  `json:"seq,omitempty"`
}

// MessageFrame is a message of the conversation as the widget receives it.
type MessageFrame struct {
	Type string `json:"type"`
	// Conversation is set in the frames sent to agents, who follow
	// several conversations on one socket.
	Conversation string `json:"conversation,omitempty"`
	Seq          int64  `json:"seq"`
	Author       string `json:"author"`
	Text         string `json:"text"`
	ClientID     string `json:"client_id,omitempty"`
	Route        string `json:"route,omitempty"`
	// Lang is the language of a bot message ("fr", "en"): the widget's
	// own texts follow it.
	Lang     string       `json:"lang,omitempty"`
	Articles []ArticleRef `json:"articles,omitempty"`
	Actions  []ActionRef  `json:"actions,omitempty"`
	Agent    string       `json:"agent,omitempty"`
	// Form asks the customer for their email address and message when
	// nobody can answer in the chat.
	Form *IntakeForm `json:"form,omitempty"`
	// Survey marks the message that asks the customer to rate the
	// conversation (a survey frame answers it).
	Survey bool `json:"survey,omitempty"`
	// Generated marks an answer a language model wrote from the articles
	// listed, its sources.
	Generated bool `json:"generated,omitempty"`
	// Draft, on the reply to a message whose answer was shown while it
	// was written, names the draft frames it replaces.
	Draft     string    `json:"draft,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// draftFrame is a piece of an answer being written, to show until the
// message of the same Draft replaces it.
type draftFrame struct {
	Type  string `json:"type"`
	Draft string `json:"draft"`
	Text  string `json:"text"`
}

// IntakeForm is the email request form shown under a handoff message,
// prefilled; the widget answers it with an intake frame.
type IntakeForm struct {
	Email   string `json:"email"`
	Message string `json:"message"`
}

// ArticleRef is an article shown under a bot message.
type ArticleRef struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// ActionRef is a button shown under a message.
type ActionRef struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

type typingFrame struct {
	Type   string `json:"type"`
	Author string `json:"author"`
	On     bool   `json:"on"`
}

type stateFrame struct {
	Type        string `json:"type"`
	State       string `json:"state"`
	Agent       string `json:"agent,omitempty"`
	Position    int    `json:"position,omitempty"`
	WaitSeconds int    `json:"wait_seconds,omitempty"`
}

type errorFrame struct {
	Type     string `json:"type"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	ClientID string `json:"client_id,omitempty"`
}

// encode marshals a server frame; the frames are plain structs that always
// marshal.
func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("chat: encode frame: " + err.Error())
	}
	return b
}
