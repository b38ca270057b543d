package chat

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

// AgentProtocolVersion is the version of docs/agent-protocol.md, which
// moves apart from the widget's (ProtocolVersion).
const AgentProtocolVersion = 1

// The agent console's protocol, docs/agent-protocol.md.

// Error codes of the agent protocol, besides the widget's.
const (
	CodeTaken        = "taken"
	CodeCapacity     = "capacity"
	CodeNotOnline    = "not_online"
	CodeNotHolder    = "not_holder"
	CodeUnknownAgent = "unknown_agent"
)

// AgentFrame is a frame from the agent console. Fields not used by a type
// are left zero.
type AgentFrame struct {
	Type string `json:"type"`
	// presence
	Status string `json:"status"`
	// claim, message, typing, transfer, close
	Conversation string `json:"conversation"`
	ClientID     string `json:"client_id"`
	Text         string `json:"text"`
	On           bool   `json:"on"`
	To           string `json:"to"`
	Resolution   string `json:"resolution"`
	// Article, on close, is the article that answered the customer, if
	// the agent notes one: the customer's question becomes a candidate
	// phrasing of it.
	Article string `json:"article"`
}

// DecodeAgentFrame parses and validates one frame from the agent console.
func DecodeAgentFrame(data []byte) (AgentFrame, *FrameError) {
	var f AgentFrame
	if err := decodeObject(data, &f); err != nil {
		return AgentFrame{}, err
	}
	switch f.Type {
	case "presence":
		if f.Status != PresenceOnline && f.Status != PresenceAway && f.Status != PresenceOffline {
			return f, &FrameError{Code: CodeInvalid, Detail: "status is online, away or offline"}
		}
	case "claim", "typing":
	case "message", "note":
		if !validClientID(f.ClientID) {
			return f, &FrameError{Code: CodeInvalid, Detail: "client_id must be 8 to 64 characters of A-Z a-z 0-9 _ -"}
		}
		f.Text = strings.TrimSpace(f.Text)
		if f.Text == "" || !utf8.ValidString(f.Text) {
			return f, &FrameError{Code: CodeInvalid, ClientID: f.ClientID, Detail: "empty message"}
		}
		if utf8.RuneCountInString(f.Text) > MaxTextLength {
			return f, &FrameError{Code: CodeTooLong, ClientID: f.ClientID, Detail: "message too long"}
		}
	case "transfer":
		if f.To == "" || len(f.To) > 64 {
			return f, &FrameError{Code: CodeInvalid, Detail: "to must name an agent"}
		}
		f.To = strings.ToLower(f.To)
	case "close":
		if !resolutions[f.Resolution] {
			return f, &FrameError{Code: CodeInvalid, Detail: "resolution is answered, refunded, cancelled, escalated or spam"}
		}
		if len(f.Article) > 200 || !utf8.ValidString(f.Article) {
			return f, &FrameError{Code: CodeInvalid, Detail: "article must be an article id"}
		}
	case "":
		return f, &FrameError{Code: CodeBadFrame, Detail: "missing type"}
	default:
		return f, &FrameError{Code: CodeUnknownType, Detail: "unknown frame type"}
	}
	if f.Type != "presence" && !validConversationID(f.Conversation) {
		return f, &FrameError{Code: CodeInvalid, ClientID: f.ClientID, Detail: "conversation must be a conversation id"}
	}
	return f, nil
}

// validConversationID accepts the ids the chat gives conversations.
func validConversationID(id string) bool {
	return len(id) > 2 && len(id) <= 64 && strings.HasPrefix(id, "c_") && idChars(id)
}

// Server frames of the agent protocol.

type agentInfo struct {
	Login    string `json:"login"`
	Name     string `json:"name"`
	Capacity int    `json:"capacity"`
	Status   string `json:"status"`
	Load     int    `json:"load"`
}

type customerRef struct {
	ID    string `json:"id,omitempty"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

type queueItem struct {
	Conversation string       `json:"conversation"`
	Since        time.Time    `json:"since"`
	Lang         string       `json:"lang"`
	Customer     *customerRef `json:"customer,omitempty"`
	Question     string       `json:"question"`
	Front        bool         `json:"front,omitempty"`
}

type agentWelcomeFrame struct {
	Type   string      `json:"type"`
	V      int         `json:"v"`
	Agent  agentInfo   `json:"agent"`
	Agents []agentInfo `json:"agents"`
	Queue  []queueItem `json:"queue"`
	// Held is always empty: the conversations the agent holds follow as
	// assigned frames.
	Held   []struct{} `json:"held"`
	Assign string     `json:"assign"`
}

type presenceFrame struct {
	Type  string    `json:"type"`
	Agent agentInfo `json:"agent"`
}

type queuedFrame struct {
	Type string    `json:"type"`
	Item queueItem `json:"item"`
}

type conversationRef struct {
	Type         string `json:"type"`
	Conversation string `json:"conversation"`
	Reason       string `json:"reason,omitempty"`
}

type orderSummary struct {
	Number      string    `json:"number"`
	PlacedAt    time.Time `json:"placed_at"`
	Status      string    `json:"status"`
	Total       string    `json:"total"`
	Carrier     string    `json:"carrier,omitempty"`
	TrackingURL string    `json:"tracking_url,omitempty"`
	Items       []string  `json:"items,omitempty"`
}

type assignedConversation struct {
	ID             string            `json:"id"`
	Lang           string            `json:"lang"`
	Since          time.Time         `json:"since"`
	From           string            `json:"from,omitempty"`
	Customer       *customerRef      `json:"customer,omitempty"`
	VerifiedOrders []string          `json:"verified_orders,omitempty"`
	Orders         []orderSummary    `json:"orders"`
	Messages       []json.RawMessage `json:"messages"`
}

type assignedFrame struct {
	Type         string               `json:"type"`
	Conversation assignedConversation `json:"conversation"`
}

type agentTypingFrame struct {
	Type         string `json:"type"`
	Conversation string `json:"conversation"`
	Author       string `json:"author"`
	On           bool   `json:"on"`
}

type agentAckFrame struct {
	Type         string `json:"type"`
	ClientID     string `json:"client_id"`
	Seq          int64  `json:"seq"`
	Conversation string `json:"conversation"`
}

type agentErrorFrame struct {
	Type         string `json:"type"`
	Code         string `json:"code"`
	Message      string `json:"message"`
	Conversation string `json:"conversation,omitempty"`
	ClientID     string `json:"client_id,omitempty"`
}

// TicketInfo is a ticket as the agent console shows it.
type TicketInfo struct {
	Number       int64     `json:"number"`
	Conversation string    `json:"conversation"`
	Email        string    `json:"email"`
	Name         string    `json:"name,omitempty"`
	CustomerID   string    `json:"customer_id,omitempty"`
	Message      string    `json:"message"`
	Lang         string    `json:"lang"`
	Status       string    `json:"status"`
	CreatedAt    time.Time `json:"created_at"`
	AnsweredBy   string    `json:"answered_by,omitempty"`
	AnsweredAt   time.Time `json:"answered_at,omitzero"`
}

type ticketFrame struct {
	Type   string     `json:"type"`
	Ticket TicketInfo `json:"ticket"`
}
