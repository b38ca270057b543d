package kb

import (
	"strconv"
	"sync"
	"testing"
)

// TestMemoForgetsOldestFirst: a full memo forgets its oldest key to keep a
// new one, and a key put again keeps its first value.
func TestMemoForgetsOldestFirst(t *testing.T) {
	m := newMemo[int](3)
	for i := range 3 {
		m.put(strconv.Itoa(i), i)
	}
	m.put("0", 100)
	if v, ok := m.get("0"); !ok || v != 0 {
		t.Errorf("a key put again: %d, %v; want its first value, 0", v, ok)
	}
	m.put("3", 3)
	if _, ok := m.get("0"); ok {
		t.Error("the oldest key was kept in a full memo")
	}
	for _, k := range []string{"1", "2", "3"} {
		if _, ok := m.get(k); !ok {
			t.Errorf("key %s was forgotten", k)
		}
	}
}

// TestMemoConcurrent: goroutines share a memo (run with -race).
func TestMemoConcurrent(t *testing.T) {
	m := newMemo[string](16)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				k := strconv.Itoa((g * i) % 40)
				if v, ok := m.get(k); ok && v != k {
					t.Errorf("key %s holds %q", k, v)
				}
				m.put(k, k)
			}
		})
	}
	wg.Wait()
}
