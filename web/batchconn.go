package web

import (
	"bufio"
	"net"
	"net/http"
	"sync"
)

// batchConn is a socket's connection, hijacked from net/http, that can
// hold what is written to it and send it in one write(2): the frames of
// an answer (the customer's message acknowledged and shown, the answer)
// go out together instead of one system call each. It implements the
// Hold and Flush of chat's batching writer; written to while nothing is
// held, it writes at once.
type batchConn struct {
	net.Conn
	mu   sync.Mutex
	hold bool
	buf  *[]byte
}

// batchBuffers are the buffers of batches under way: a socket keeps none
// between batches, so that an idle socket costs nothing more.
var batchBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// maxPooledBatch is the largest buffer put back in the pool.
const maxPooledBatch = 64 << 10

func (c *batchConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.hold {
		return c.Conn.Write(p)
	}
	if c.buf == nil {
		c.buf = batchBuffers.Get().(*[]byte)
	}
	*c.buf = append(*c.buf, p...)
	return len(p), nil
}

// Hold keeps what is written until Flush.
func (c *batchConn) Hold() {
	c.mu.Lock()
	c.hold = true
	c.mu.Unlock()
}

// Flush writes what was held, in one write, and stops holding. A write
// that fails is reported here, the writes it held having returned
// already.
func (c *batchConn) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hold = false
	if c.buf == nil {
		return nil
	}
	_, err := c.Conn.Write(*c.buf)
	if cap(*c.buf) <= maxPooledBatch {
		*c.buf = (*c.buf)[:0]
		batchBuffers.Put(c.buf)
	}
	c.buf = nil
	return err
}

// batchingHijacker hands the websocket upgrader a [batchConn] for the
// hijacked connection.
type batchingHijacker struct{ http.ResponseWriter }

func (b batchingHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(b.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	return &batchConn{Conn: conn}, brw, nil
}
