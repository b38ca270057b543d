package main

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestEchoServer: the echo server answers the load generator's questions
// as supportd does — ack, echo, answer — so that both are measured alike.
func TestEchoServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go serveEcho(ctx, addr)
	var c *client
	for range 50 {
		if c, err = dial(ctx, websocket.DefaultDialer, "ws://"+addr+"/ws", nil); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.ws.Close()
	for range 3 {
		askCtx, stop := context.WithTimeout(ctx, 10*time.Second)
		took, err := c.ask(askCtx, "bonjour")
		stop()
		if err != nil || took <= 0 {
			t.Fatalf("ask: %v, %v", took, err)
		}
	}
}
