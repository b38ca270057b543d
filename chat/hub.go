package chat

import (
	"hash/maphash"
	"sync"
)

// hub registers the live connections of each conversation. Its stripes
// also serialise what happens to one conversation: a message is stored
// and pushed to the conversation's sockets under its stripe's lock, so
// that every socket receives the messages in sequence order, and a
// resuming socket replays what it missed before it receives anything
// new.
type hub struct {
	seed    maphash.Seed
	stripes [256]stripe
}

type stripe struct {
	sync.Mutex
	conns map[string]map[*conn]struct{}
	// pushed is the last message pushed of each conversation this
	// process serves (relay.go).
	pushed map[string]int64
}

func newHub() *hub {
	h := &hub{seed: maphash.MakeSeed()}
	for i := range h.stripes {
		h.stripes[i].conns = map[string]map[*conn]struct{}{}
		h.stripes[i].pushed = map[string]int64{}
	}
	return h
}

// stripe returns the stripe of a conversation.
func (h *hub) stripe(conversation string) *stripe {
	return &h.stripes[maphash.String(h.seed, conversation)%uint64(len(h.stripes))]
}

// add registers c under conversation; the caller holds the stripe's lock.
func (s *stripe) add(conversation string, c *conn) {
	set := s.conns[conversation]
	if set == nil {
		set = map[*conn]struct{}{}
		s.conns[conversation] = set
	}
	set[c] = struct{}{}
}

// remove unregisters c; the caller holds the stripe's lock.
func (s *stripe) remove(conversation string, c *conn) {
	set := s.conns[conversation]
	delete(set, c)
	if len(set) == 0 {
		delete(s.conns, conversation)
	}
}

// each calls f for each connection of a conversation; the caller holds the
// stripe's lock.
func (s *stripe) each(conversation string, f func(*conn)) {
	for c := range s.conns[conversation] {
		f(c)
	}
}

// markPushed records that the messages of conversation up to seq were
// pushed; the caller holds the stripe's lock.
func (s *stripe) markPushed(conversation string, seq int64) {
	if seq > s.pushed[conversation] {
		s.pushed[conversation] = seq
	}
}
