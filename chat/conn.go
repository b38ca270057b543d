package chat

import (
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"github.com/supportd/supportd/assistant"
	"github.com/supportd/supportd/identity"
)

// Connection timing, after gorilla/websocket's chat example.
const (
	writeWait  = 10 * time.Second
	pongWait   = 30 * time.Second
	pingPeriod = pongWait * 9 / 10
)

// conn is one widget's websocket. The reader goroutine (Service.ServeConn)
// owns the fields above mu. A writer goroutine drains queue: it is
// started by the first frame queued while none runs, and stops once the
// queue is empty, so that an idle socket costs one goroutine, the
// reader's, not two: fewer stacks to keep, and for the collector to scan
// at each cycle (docs/benchmarks.md). Pings go out from a timer.
type conn struct {
	ws      *websocket.Conn
	limiter *rate.Limiter
	// strikes counts frames refused by the rate limiter in a row.
	strikes int

	hello bool
	// version is the protocol version of the hello.
	version      int
	locale       string
	conversation string
	// clientIP is the address the connection comes from, for the limit
	// on order verifications.
	clientIP string
	// customer is the verified customer, if the hello had a valid token.
	customer identity.Customer
	// agent is the login of the agent of a console socket, "" for a
	// widget.
	agent string
	// verified maps the orders the visitor proved to own, with their
	// email address, to that address; focus is the order the
	// conversation is about. Both last as long as the connection.
	verified map[string]string
	focus    string
	// lastQuestion and lastRoute are the customer's last message and the
	// route of its answer: the email form is prefilled with the one, two
	// fallbacks in a row offer a person.
	lastQuestion string
	lastRoute    assistant.Route
	// lastFound tells whether the assistant found anything for
	// lastQuestion (see prefill).
	lastFound bool
	// suggested are the articles last suggested, for the question
	// suggestedFor; picked is the one of them the customer opened, whose
	// helpful vote makes that question a candidate phrasing of it.
	suggestedFor string
	suggested    []string
	picked       string

	mu sync.Mutex
	// queue holds encoded frames waiting for the writer; queued counts
	// their bytes.
	queue  [][]byte
	queued int
	// lastSeq is the highest message sequence number queued, so that a
	// message is never sent twice; guarded by mu, set under the
	// conversation's stripe lock.
	lastSeq int64
	closing bool
	// writing tells that a writer goroutine runs (see write); at most
	// one does at a time, as gorilla/websocket requires.
	writing bool
	// closed is closed once the writer has closed the socket.
	closed chan struct{}
	// ping sends a ping every pingPeriod until the connection closes.
	ping *time.Timer
	// closeCode and closeText are sent in the close frame, if set.
	closeCode int
	closeText string
}

func newConn(ws *websocket.Conn, limiter *rate.Limiter) *conn {
	return &conn{
		ws:      ws,
		limiter: limiter,
		locale:  "fr",
		closed:  make(chan struct{}),
	}
}

// start begins the pings.
func (c *conn) start() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ping = time.AfterFunc(pingPeriod, c.sendPing)
}

// sendPing sends a ping and sets the next one; a ping that fails closes
// the connection. gorilla/websocket lets WriteControl run beside the
// writer.
func (c *conn) sendPing() {
	if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
		c.close(0, "")
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closing {
		c.ping.Reset(pingPeriod)
	}
}

// send queues a frame. It reports false, and closes the connection, when
// the queue is over maxBytes: the client is too slow, and will resume.
func (c *conn) send(frame []byte, maxBytes int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sendLocked(frame, maxBytes)
}

func (c *conn) sendLocked(frame []byte, maxBytes int) bool {
	if c.closing {
		return false
	}
	if c.queued+len(frame) > maxBytes {
		c.closeLocked(websocket.CloseTryAgainLater, "too slow")
		return false
	}
	c.queue = append(c.queue, frame)
	c.queued += len(frame)
	c.startWriterLocked()
	return true
}

// startWriterLocked starts a writer unless one runs.
func (c *conn) startWriterLocked() {
	if !c.writing {
		c.writing = true
		go c.write()
	}
}

// sendMessage queues a message frame unless a message with that sequence
// number or a later one was already queued.
func (c *conn) sendMessage(seq int64, frame []byte, maxBytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if seq <= c.lastSeq {
		return
	}
	if c.sendLocked(frame, maxBytes) {
		c.lastSeq = seq
	}
}

// close asks the writer to send what was queued, a close frame, and
// close the socket; the reader then fails and ServeConn returns.
func (c *conn) close(code int, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeLocked(code, text)
}

func (c *conn) closeLocked(code int, text string) {
	if c.closing {
		return
	}
	c.closing = true
	c.closeCode, c.closeText = code, text
	if c.ping != nil {
		c.ping.Stop()
	}
	c.startWriterLocked()
}

// batcher is a connection that can hold writes and send them together:
// the web package's hijacked connections are. The frames queued at once
// then cost one system call, not one each.
type batcher interface {
	Hold()
	Flush() error
}

// writeFrames writes frames, in one batch when the socket's connection
// can, and reports whether all were written.
func (c *conn) writeFrames(frames [][]byte) bool {
	b, _ := c.ws.NetConn().(batcher)
	if b != nil && len(frames) > 1 {
		b.Hold()
	} else {
		b = nil
	}
	for _, frame := range frames {
		c.ws.SetWriteDeadline(time.Now().Add(writeWait))
		if err := c.ws.WriteMessage(websocket.TextMessage, frame); err != nil {
			if b != nil {
				b.Flush()
			}
			return false
		}
	}
	return b == nil || b.Flush() == nil
}

// write writes the queued frames until there are none, then stops. Once
// the connection is closing, it writes what was queued before the close
// (an error frame explaining it, say), says goodbye, closes the socket
// and closes closed; no writer starts after that one.
func (c *conn) write() {
	for {
		c.mu.Lock()
		frames, closing := c.queue, c.closing
		c.queue, c.queued = nil, 0
		if len(frames) == 0 && !closing {
			c.writing = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		if closing {
			c.goodbye(frames)
			return
		}
		if !c.writeFrames(frames) {
			c.close(0, "")
		}
	}
}

// goodbye writes the last frames and the close frame, if the connection
// has a close code, and closes the socket.
func (c *conn) goodbye(frames [][]byte) {
	defer close(c.closed)
	defer c.ws.Close()
	for _, frame := range frames {
		c.ws.SetWriteDeadline(time.Now().Add(writeWait))
		if c.ws.WriteMessage(websocket.TextMessage, frame) != nil {
			return
		}
	}
	if c.closeCode != 0 {
		msg := websocket.FormatCloseMessage(c.closeCode, c.closeText)
		c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(writeWait))
	}
}

// prefill is what the email form's message starts with when the customer
// asks for a person with the button: their last question, if the
// assistant found anything for it; never a message it found nothing for.
func (c *conn) prefill() string {
	if !c.lastFound {
		return ""
	}
	return c.lastQuestion
}
