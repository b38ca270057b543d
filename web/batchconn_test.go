package web

import (
	"errors"
	"net"
	"testing"
)

// countingConn records each write made on it.
type countingConn struct {
	net.Conn
	writes [][]byte
	fail   error
}

func (c *countingConn) Write(p []byte) (int, error) {
	if c.fail != nil {
		return 0, c.fail
	}
	c.writes = append(c.writes, append([]byte(nil), p...))
	return len(p), nil
}

// TestBatchConn: writes made while held go out in one write at Flush, in
// their order; writes made while nothing is held go out at once; a failed
// write is reported by Flush.
func TestBatchConn(t *testing.T) {
	under := &countingConn{}
	c := &batchConn{Conn: under}
	c.Write([]byte("handshake"))
	if len(under.writes) != 1 {
		t.Fatalf("a write while nothing is held: %d writes, want 1", len(under.writes))
	}
	c.Hold()
	for _, frame := range []string{"ack,", "message,", "answer"} {
		if n, err := c.Write([]byte(frame)); n != len(frame) || err != nil {
			t.Fatalf("held write: %d, %v", n, err)
		}
	}
	if len(under.writes) != 1 {
		t.Fatalf("held writes reached the connection before Flush: %q", under.writes)
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	if len(under.writes) != 2 || string(under.writes[1]) != "ack,message,answer" {
		t.Fatalf("after Flush: %q, want one write of the three frames", under.writes)
	}
	if err := c.Flush(); err != nil || len(under.writes) != 2 {
		t.Fatalf("a Flush with nothing held: %v, %d writes", err, len(under.writes))
	}
	c.Write([]byte("ping"))
	if len(under.writes) != 3 {
		t.Fatalf("a write after Flush was held: %q", under.writes)
	}

	under.fail = errors.New("connection reset")
	c.Hold()
	c.Write([]byte("lost"))
	if err := c.Flush(); !errors.Is(err, under.fail) {
		t.Fatalf("Flush of a failed write: %v", err)
	}
}
