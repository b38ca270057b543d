package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// With -echo ADDR, loadgen serves a bare websocket echo server instead of
// putting load: the physical floor of this machine for the same sockets
// and the same client, with no work. It is written in the pattern of
// gorilla/websocket's chat example (a reader and a writer goroutine per
// socket, a buffered channel between them, pings), and answers each
// message frame as supportd does, so that the load generator measures it
// alike: the ack, the message echoed, and an "answer" that repeats it.

const (
	echoWriteWait  = 10 * time.Second
	echoPongWait   = 60 * time.Second
	echoPingPeriod = echoPongWait * 9 / 10
)

var echoUpgrader = websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 1024, CheckOrigin: func(*http.Request) bool { return true }}

// serveEcho serves the echo server on addr until ctx ends.
func serveEcho(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", echoSocket)
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	fmt.Printf("echo server at ws://%s/ws\n", ln.Addr())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// echoFrame is what the echo server reads of a client frame.
type echoFrame struct {
	Type     string `json:"type"`
	ClientID string `json:"client_id"`
	Text     string `json:"text"`
}

// echoSocket runs one socket: a reader here, a writer goroutine.
func echoSocket(w http.ResponseWriter, r *http.Request) {
	ws, err := echoUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	send := make(chan []byte, 16)
	done := make(chan struct{})
	go func() {
		ticker := time.NewTicker(echoPingPeriod)
		defer func() {
			ticker.Stop()
			ws.Close()
		}()
		for {
			select {
			case frame := <-send:
				ws.SetWriteDeadline(time.Now().Add(echoWriteWait))
				if err := ws.WriteMessage(websocket.TextMessage, frame); err != nil {
					return
				}
			case <-ticker.C:
				ws.SetWriteDeadline(time.Now().Add(echoWriteWait))
				if err := ws.WriteMessage(websocket.PingMessage, nil); err != nil {
					return
				}
			case <-done:
				return
			}
		}
	}()
	defer close(done)
	ws.SetReadLimit(16 << 10)
	ws.SetReadDeadline(time.Now().Add(echoPongWait))
	ws.SetPongHandler(func(string) error { ws.SetReadDeadline(time.Now().Add(echoPongWait)); return nil })
	var seq int64
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var f echoFrame
		if json.Unmarshal(data, &f) != nil || f.Type != "message" {
			continue
		}
		seq++
		ack, _ := json.Marshal(map[string]any{"type": "ack", "client_id": f.ClientID, "seq": seq})
		echo, _ := json.Marshal(map[string]any{"type": "message", "seq": seq, "author": "customer", "text": f.Text, "client_id": f.ClientID})
		seq++
		answer, _ := json.Marshal(map[string]any{"type": "message", "seq": seq, "author": "bot", "text": f.Text})
		for _, frame := range [][]byte{ack, echo, answer} {
			select {
			case send <- frame:
			default: // a client that does not read is left behind
			}
		}
	}
}
