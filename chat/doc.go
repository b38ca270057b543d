// Package chat runs the customers' conversations: it speaks the widget's
// websocket protocol (docs/protocol.md), stores every message before
// acknowledging it, asks an [Answerer] for the bot's replies, and keeps the
// hub of live connections that pushes each new message to every socket of
// its conversation, in sequence order.
//
// A connection has one goroutine reading, and one writing while there is
// something to write: the writer, started by the first frame queued,
// drains a per-connection queue capped in bytes and stops when it is
// empty; pings go out from a timer. A client too slow to keep up is
// disconnected — it resumes from its last sequence number.
package chat
