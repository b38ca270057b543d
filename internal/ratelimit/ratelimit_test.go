package ratelimit

import "testing"

func TestKeyedLimitsEachKeyApart(t *testing.T) {
	l := NewKeyed(0.001, 3)
	for i := range 3 {
		if !l.Allow("a") {
			t.Fatalf("event %d of a refused within the burst", i+1)
		}
	}
	if l.Allow("a") {
		t.Error("a's fourth event allowed beyond the burst")
	}
	if !l.Allow("b") {
		t.Error("b refused because of a")
	}
}
