package mail

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	if _, err := NewOutbox(OutboxConfig{Mailer: &Sender{}}); err == nil {
		t.Error("NewOutbox without a queue: no error")
	}
	o := &Outbox{cfg: OutboxConfig{MinBackoff: 5 * time.Second, MaxBackoff: 10 * time.Minute}}
	for _, test := range []struct {
		attempts int
		want     time.Duration
	}{
		{-1, 5 * time.Second},
		{0, 5 * time.Second},
		{1, 10 * time.Second},
		{2, 20 * time.Second},
		{6, 320 * time.Second},
		{7, 10 * time.Minute},
		{100, 10 * time.Minute},
	} {
		for range 20 {
			if d := o.backoff(test.attempts); d < test.want/2 || d > test.want {
				t.Errorf("backoff(%d) = %v, want between %v and %v", test.attempts, d, test.want/2, test.want)
			}
		}
	}
}
