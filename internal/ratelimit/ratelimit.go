// Package ratelimit limits how often each of many keys (client addresses,
// conversations) may do something, with a token bucket per key.
package ratelimit

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Keyed keeps a token bucket per key. It forgets the buckets that are full
// again, so that its memory follows the keys active in the last minute. It
// is safe for concurrent use.
type Keyed struct {
	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	byKey   map[string]*rate.Limiter
	cleaned time.Time
}

// NewKeyed returns a Keyed limiter allowing each key burst events at once,
// then r a second.
func NewKeyed(r rate.Limit, burst int) *Keyed {
	return &Keyed{rate: r, burst: burst, byKey: map[string]*rate.Limiter{}, cleaned: time.Now()}
}

// Allow reports whether key may act now, and counts it if so.
func (l *Keyed) Allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limiterLocked(key).AllowN(time.Now(), 1)
}

// Wait blocks until key may act, and counts it; it returns the context's
// error if that comes first (or would come before the wait ends).
func (l *Keyed) Wait(ctx context.Context, key string) error {
	l.mu.Lock()
	lim := l.limiterLocked(key)
	l.mu.Unlock()
	return lim.Wait(ctx)
}

// limiterLocked returns key's bucket, forgetting the full ones once a
// minute.
func (l *Keyed) limiterLocked(key string) *rate.Limiter {
	now := time.Now()
	if now.Sub(l.cleaned) > time.Minute {
		// A bucket back at its full burst knows nothing worth keeping.
		for k, lim := range l.byKey {
			if lim.TokensAt(now) >= float64(l.burst) {
				delete(l.byKey, k)
			}
		}
		l.cleaned = now
	}
	lim := l.byKey[key]
	if lim == nil {
		lim = rate.NewLimiter(l.rate, l.burst)
		l.byKey[key] = lim
	}
	return lim
}
