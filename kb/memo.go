package kb

import "sync"

// memo keeps the values of a number of keys, for any number of
// goroutines, forgetting the oldest first. Its keys are never empty.
type memo[V any] struct {
	mu    sync.Mutex
	vals  map[string]V
	order []string
	next  int
}

// newMemo returns a memo that keeps up to size keys.
func newMemo[V any](size int) *memo[V] {
	return &memo[V]{vals: make(map[string]V, size), order: make([]string, size)}
}

// get returns the value kept under key.
func (m *memo[V]) get(key string) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.vals[key]
	return v, ok
}

// put keeps v under key, forgetting the oldest key when full; a key kept
// already keeps its value.
func (m *memo[V]) put(key string, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.vals[key]; ok {
		return
	}
	if old := m.order[m.next]; old != "" {
		delete(m.vals, old)
	}
	m.order[m.next] = key
	m.next = (m.next + 1) % len(m.order)
	m.vals[key] = v
}
