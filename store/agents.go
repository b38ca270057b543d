package store

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"
)

// Agent is a person of the shop who answers customers.
type Agent struct {
	// Login is unique; the stores keep it lower-cased. It is 1 to 64
	// characters among a-z, 0-9, '.', '_' and '-'.
	Login string
	Name  string
	// PasswordHash is the password's bcrypt hash.
	PasswordHash []byte
	// Capacity is how many conversations the agent takes at once; 0 means
	// DefaultCapacity.
	Capacity int
	// Role is RoleAgent (the default), RoleEditor, who also reads the
	// editors' reports, or RoleAdmin, who reads them and manages the
	// agents from the console.
	Role string
	// Disabled agents can no longer log in, nor use a session they had.
	Disabled bool
	// Presence is the presence the agent last chose in the console
	// ("online", "away" or "offline"; "" reads as offline), kept so that
	// an agent whose console reconnects after a restart keeps it.
	Presence  string
	CreatedAt time.Time // set by the store when zero
}

// ValidPresence reports whether p is a presence an agent can have.
func ValidPresence(p string) bool {
	return p == "online" || p == "away" || p == "offline"
}

// Roles of agents.
const (
	RoleAgent = "agent"
	// RoleEditor also reads the editors' reports in the console.
	RoleEditor = "editor"
	RoleAdmin  = "admin"
)

// DefaultCapacity is the capacity of an agent created without one.
const DefaultCapacity = 3

// AgentSession is an agent's login session.
type AgentSession struct {
	// ID is the secret of the session's cookie; the store keeps only its
	// SHA-256, IDHash, and returns sessions with ID empty.
	ID     string
	IDHash []byte
	Login  string
	// CSRF is the token the agent's pages send with every change.
	CSRF      string
	CreatedAt time.Time // set by the store when zero
	ExpiresAt time.Time
}

// Agents keeps the agents and their sessions. *Bolt and *Postgres
// implement it. Errors other than those documented wrap ErrUnavailable.
type Agents interface {
	// AddAgent stores a new agent, lower-casing a.Login and setting
	// a.Capacity and a.CreatedAt when zero. Errors: ErrExists (login
	// taken), ErrInvalid (bad login, empty hash, negative capacity).
	AddAgent(ctx context.Context, a *Agent) error
	// Agent returns the agent with that login (in any case), or
	// ErrNotFound.
	Agent(ctx context.Context, login string) (*Agent, error)
	// ListAgents returns every agent, ordered by login.
	ListAgents(ctx context.Context) ([]Agent, error)
	// SetAgentPassword replaces an agent's password hash; ErrNotFound if
	// no such agent, ErrInvalid for an empty hash.
	SetAgentPassword(ctx context.Context, login string, hash []byte) error
	// SetAgentPresence records the presence an agent chose; ErrNotFound
	// if no such agent, ErrInvalid for a presence [ValidPresence] refuses.
	SetAgentPresence(ctx context.Context, login, presence string) error
	// SetAgentDisabled disables or enables an agent; ErrNotFound if no
	// such agent.
	SetAgentDisabled(ctx context.Context, login string, disabled bool) error
	// CreateSession stores a session under the SHA-256 of s.ID, setting
	// s.IDHash and s.CreatedAt when zero. Errors: ErrInvalid (empty ID or
	// CSRF, zero ExpiresAt), ErrNotFound (no such agent), ErrExists.
	CreateSession(ctx context.Context, s *AgentSession) error
	// Session returns the session whose ID has that SHA-256, or
	// ErrNotFound if none or if it has expired.
	Session(ctx context.Context, idHash []byte) (*AgentSession, error)
	// DeleteSession deletes a session; deleting none is no error.
	DeleteSession(ctx context.Context, idHash []byte) error
}

// SessionHash returns the SHA-256 of a session's ID, the key it is stored under.
func SessionHash(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

// ValidLogin reports whether login, lower-cased, is an agent's login.
func ValidLogin(login string) bool {
	if len(login) == 0 || len(login) > 64 {
		return false
	}
	for _, c := range []byte(strings.ToLower(login)) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// prepareAgent checks a and returns it as stored.
func prepareAgent(a *Agent) (Agent, error) {
	if !ValidLogin(a.Login) {
		return Agent{}, fmt.Errorf("%w: agent login %q", ErrInvalid, a.Login)
	}
	if len(a.PasswordHash) == 0 {
		return Agent{}, fmt.Errorf("%w: agent without password hash", ErrInvalid)
	}
	if a.Capacity < 0 {
		return Agent{}, fmt.Errorf("%w: negative capacity", ErrInvalid)
	}
	if a.Role != "" && a.Role != RoleAgent && a.Role != RoleEditor && a.Role != RoleAdmin {
		return Agent{}, fmt.Errorf("%w: role %q", ErrInvalid, a.Role)
	}
	if err := checkText("name", a.Name); err != nil {
		return Agent{}, err
	}
	na := *a
	na.Login = strings.ToLower(a.Login)
	na.Presence = "offline"
	if na.Role == "" {
		na.Role = RoleAgent
	}
	if na.Capacity == 0 {
		na.Capacity = DefaultCapacity
	}
	if na.CreatedAt.IsZero() {
		na.CreatedAt = time.Now()
	}
	na.CreatedAt = storedTime(na.CreatedAt)
	na.PasswordHash = append([]byte(nil), a.PasswordHash...)
	return na, nil
}

// prepareSession checks s and returns it as stored.
func prepareSession(s *AgentSession) (AgentSession, error) {
	switch {
	case s.ID == "":
		return AgentSession{}, fmt.Errorf("%w: session without id", ErrInvalid)
	case s.CSRF == "":
		return AgentSession{}, fmt.Errorf("%w: session without csrf token", ErrInvalid)
	case s.ExpiresAt.IsZero():
		return AgentSession{}, fmt.Errorf("%w: session without expiry", ErrInvalid)
	}
	if err := checkText("login", s.Login, "csrf", s.CSRF); err != nil {
		return AgentSession{}, err
	}
	ns := AgentSession{
		IDHash:    SessionHash(s.ID),
		Login:     strings.ToLower(s.Login),
		CSRF:      s.CSRF,
		CreatedAt: s.CreatedAt,
		ExpiresAt: storedTime(s.ExpiresAt),
	}
	if ns.CreatedAt.IsZero() {
		ns.CreatedAt = time.Now()
	}
	ns.CreatedAt = storedTime(ns.CreatedAt)
	return ns, nil
}
