package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.etcd.io/bbolt"
)

var _ Agents = (*Bolt)(nil)

// The agents add two buckets to the bbolt file, created by the first
// agent (older files simply lack them, so the layout version stays 1):
//
//	agents          login -> boltAgent, JSON
//	agent_sessions  SHA-256 of the session id -> boltSession, JSON
var (
	bucketAgents   = []byte("agents")
	bucketSessions = []byte("agent_sessions")
)

// boltAgent is an [Agent] as stored.
type boltAgent struct {
	Name         string    `json:"name,omitempty"`
	PasswordHash []byte    `json:"password_hash"`
	Capacity     int       `json:"capacity"`
	Presence     string    `json:"presence,omitempty"`
	Role         string    `json:"role,omitempty"`
	Disabled     bool      `json:"disabled,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// boltSession is an [AgentSession] as stored.
type boltSession struct {
	Login     string    `json:"login"`
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// getAgent reads an agent, or returns ErrNotFound.
func getAgent(tx *bbolt.Tx, login string) (*Agent, error) {
	var v []byte
	if b := tx.Bucket(bucketAgents); b != nil && login != "" {
		v = b.Get([]byte(login))
	}
	if v == nil {
		return nil, fmt.Errorf("agent %q: %w", login, ErrNotFound)
	}
	return decodeAgent(login, v)
}

func decodeAgent(login string, v []byte) (*Agent, error) {
	var rec boltAgent
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("agent %q: %w", login, err)
	}
	if rec.Presence == "" {
		rec.Presence = "offline"
	}
	if rec.Role == "" {
		rec.Role = RoleAgent
	}
	return &Agent{Login: login, Name: rec.Name, PasswordHash: rec.PasswordHash, Capacity: rec.Capacity, Presence: rec.Presence, Role: rec.Role, Disabled: rec.Disabled, CreatedAt: rec.CreatedAt}, nil
}

func putAgent(b *bbolt.Bucket, a *Agent) error {
	v, err := json.Marshal(boltAgent{Name: a.Name, PasswordHash: a.PasswordHash, Capacity: a.Capacity, Presence: a.Presence, Role: a.Role, Disabled: a.Disabled, CreatedAt: a.CreatedAt})
	if err != nil {
		return err
	}
	return b.Put([]byte(a.Login), v)
}

// AddAgent implements [Agents].
func (s *Bolt) AddAgent(ctx context.Context, a *Agent) error {
	if err := ctx.Err(); err != nil {
		return errBolt("add agent", err)
	}
	na, err := prepareAgent(a)
	if err != nil {
		return err
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketAgents)
		if err != nil {
			return err
		}
		if b.Get([]byte(na.Login)) != nil {
			return fmt.Errorf("agent %q: %w", na.Login, ErrExists)
		}
		return putAgent(b, &na)
	})
	if err != nil {
		return errBolt("add agent", err)
	}
	a.Login, a.Capacity, a.Presence, a.Role, a.CreatedAt = na.Login, na.Capacity, na.Presence, na.Role, na.CreatedAt
	return nil
}

// Agent implements [Agents].
func (s *Bolt) Agent(ctx context.Context, login string) (*Agent, error) {
	if err := ctx.Err(); err != nil {
		return nil, errBolt("get agent", err)
	}
	var a *Agent
	err := s.db.View(func(tx *bbolt.Tx) error {
		var err error
		a, err = getAgent(tx, strings.ToLower(login))
		return err
	})
	if err != nil {
		return nil, errBolt("get agent", err)
	}
	return a, nil
}

// ListAgents implements [Agents].
func (s *Bolt) ListAgents(ctx context.Context) ([]Agent, error) {
	if err := ctx.Err(); err != nil {
		return nil, errBolt("list agents", err)
	}
	var list []Agent
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketAgents)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			a, err := decodeAgent(string(k), v)
			if err != nil {
				return err
			}
			list = append(list, *a)
			return nil
		})
	})
	if err != nil {
		return nil, errBolt("list agents", err)
	}
	return list, nil
}

// SetAgentPassword implements [Agents].
func (s *Bolt) SetAgentPassword(ctx context.Context, login string, hash []byte) error {
	if err := ctx.Err(); err != nil {
		return errBolt("set agent password", err)
	}
	if len(hash) == 0 {
		return fmt.Errorf("%w: empty password hash", ErrInvalid)
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		a, err := getAgent(tx, strings.ToLower(login))
		if err != nil {
			return err
		}
		a.PasswordHash = append([]byte(nil), hash...)
		return putAgent(tx.Bucket(bucketAgents), a)
	})
	if err != nil {
		return errBolt("set agent password", err)
	}
	return nil
}

// SetAgentPresence implements [Agents].
func (s *Bolt) SetAgentPresence(ctx context.Context, login, presence string) error {
	if err := ctx.Err(); err != nil {
		return errBolt("set agent presence", err)
	}
	if !ValidPresence(presence) {
		return fmt.Errorf("%w: presence %q", ErrInvalid, presence)
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		a, err := getAgent(tx, strings.ToLower(login))
		if err != nil {
			return err
		}
		if a.Presence == presence {
			return nil
		}
		a.Presence = presence
		return putAgent(tx.Bucket(bucketAgents), a)
	})
	if err != nil {
		return errBolt("set agent presence", err)
	}
	return nil
}

// SetAgentDisabled implements [Agents].
func (s *Bolt) SetAgentDisabled(ctx context.Context, login string, disabled bool) error {
	if err := ctx.Err(); err != nil {
		return errBolt("set agent disabled", err)
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		a, err := getAgent(tx, strings.ToLower(login))
		if err != nil {
			return err
		}
		a.Disabled = disabled
		return putAgent(tx.Bucket(bucketAgents), a)
	})
	if err != nil {
		return errBolt("set agent disabled", err)
	}
	return nil
}

// CreateSession implements [Agents]; it also deletes the expired sessions.
func (s *Bolt) CreateSession(ctx context.Context, as *AgentSession) error {
	if err := ctx.Err(); err != nil {
		return errBolt("create session", err)
	}
	ns, err := prepareSession(as)
	if err != nil {
		return err
	}
	now := time.Now()
	err = s.db.Update(func(tx *bbolt.Tx) error {
		if _, err := getAgent(tx, ns.Login); err != nil {
			return err
		}
		b, err := tx.CreateBucketIfNotExists(bucketSessions)
		if err != nil {
			return err
		}
		var expired [][]byte
		err = b.ForEach(func(k, v []byte) error {
			var rec boltSession
			if json.Unmarshal(v, &rec) != nil || !rec.ExpiresAt.After(now) {
				expired = append(expired, k)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range expired {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		if b.Get(ns.IDHash) != nil {
			return fmt.Errorf("session: %w", ErrExists)
		}
		v, err := json.Marshal(boltSession{Login: ns.Login, CSRF: ns.CSRF, CreatedAt: ns.CreatedAt, ExpiresAt: ns.ExpiresAt})
		if err != nil {
			return err
		}
		return b.Put(ns.IDHash, v)
	})
	if err != nil {
		return errBolt("create session", err)
	}
	as.IDHash, as.Login, as.CreatedAt, as.ExpiresAt = ns.IDHash, ns.Login, ns.CreatedAt, ns.ExpiresAt
	return nil
}

// Session implements [Agents].
func (s *Bolt) Session(ctx context.Context, idHash []byte) (*AgentSession, error) {
	if err := ctx.Err(); err != nil {
		return nil, errBolt("get session", err)
	}
	var v []byte
	err := s.db.View(func(tx *bbolt.Tx) error {
		if b := tx.Bucket(bucketSessions); b != nil && len(idHash) > 0 {
			v = append([]byte(nil), b.Get(idHash)...)
		}
		return nil
	})
	if err != nil {
		return nil, errBolt("get session", err)
	}
	if len(v) == 0 {
		return nil, fmt.Errorf("session: %w", ErrNotFound)
	}
	var rec boltSession
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, errBolt("get session", err)
	}
	if !rec.ExpiresAt.After(time.Now()) {
		return nil, fmt.Errorf("session expired: %w", ErrNotFound)
	}
	return &AgentSession{IDHash: append([]byte(nil), idHash...), Login: rec.Login, CSRF: rec.CSRF, CreatedAt: rec.CreatedAt, ExpiresAt: rec.ExpiresAt}, nil
}

// DeleteSession implements [Agents].
func (s *Bolt) DeleteSession(ctx context.Context, idHash []byte) error {
	if err := ctx.Err(); err != nil {
		return errBolt("delete session", err)
	}
	if len(idHash) == 0 {
		return nil
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		if b == nil {
			return nil
		}
		return b.Delete(idHash)
	})
	if err != nil {
		return errBolt("delete session", err)
	}
	return nil
}
