package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/pgtest"
	"github.com/supportd/supportd/store"
)

// demoToken returns the token the demo page gives the widget for a demo
// customer.
func demoToken(t *testing.T, addr, customer string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/?as=" + customer)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`data-customer-token="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no token for %s on the demo page", customer)
	}
	return string(m[1])
}

// TestCustomerExportAndForget: two demo customers chat; one asks for
// their data, then to be forgotten: the export holds their conversations
// and nothing of the other's, and forgetting deletes theirs only, on both
// stores.
func TestCustomerExportAndForget(t *testing.T) {
	for _, which := range []string{"embedded", "postgresql"} {
		t.Run(which, func(t *testing.T) {
			dir := t.TempDir()
			storeArgs := []string{"--data", dir, "--database-url="}
			if which == "postgresql" {
				storeArgs = []string{"--data", dir, "--database-url", pgtest.URL(t)}
			}
			srv := startServer(t, dir, append(storeArgs[2:], "--demo-logins", "on")...)
			say := func(customer, text string, n int) {
				tb := openTab(t, srv.addr)
				tb.ws.WriteJSON(map[string]any{"type": "hello", "v": 2, "locale": "fr", "customer_token": demoToken(t, srv.addr, customer)})
				tb.frame("welcome", "")
				tb.ws.WriteJSON(map[string]any{"type": "message", "client_id": fmt.Sprintf("m_cust%04d", n), "text": text})
				tb.frame("message", "bot")
			}
			say("cust-1001", "Bonjour, ici Camille, où en est ma commande ?", 1)
			say("cust-1001", "Comment suivre mon colis ?", 2)
			say("cust-1002", "Bonjour, ici l'autre client", 3)
			if which == "embedded" {
				srv.cmd.Process.Signal(syscall.SIGTERM)
				srv.cmd.Wait()
			}
			out, errOut, err := runCmd(t, "", append([]string{"customer", "export", "cust-1001"}, storeArgs...)...)
			if err != nil {
				t.Fatalf("customer export: %v\n%s", err, errOut)
			}
			var export customerExport
			if err := json.Unmarshal([]byte(out), &export); err != nil {
				t.Fatalf("export is not JSON: %v\n%s", err, out)
			}
			if len(export.Conversations) != 2 || export.Customer != "cust-1001" {
				t.Fatalf("export: %d conversations of %q, want 2 of cust-1001", len(export.Conversations), export.Customer)
			}
			if !strings.Contains(out, "ici Camille") || strings.Contains(out, "l'autre client") {
				t.Errorf("export of cust-1001:\n%s", out)
			}
			for _, c := range export.Conversations {
				if len(c.Messages) < 2 || c.Messages[0].Author != "customer" {
					t.Errorf("conversation %s exported with %+v", c.ID, c.Messages)
				}
			}
			out, errOut, err = runCmd(t, "", append([]string{"customer", "forget", "cust-1001"}, storeArgs...)...)
			if err != nil || !strings.Contains(out, "2 conversations deleted") {
				t.Fatalf("customer forget: %v, %q\n%s", err, out, errOut)
			}
			out, _, _ = runCmd(t, "", append([]string{"customer", "export", "cust-1001"}, storeArgs...)...)
			if strings.Contains(out, "Camille") {
				t.Errorf("after forget, the export still holds their messages:\n%s", out)
			}
			out, _, _ = runCmd(t, "", append([]string{"customer", "export", "cust-1002"}, storeArgs...)...)
			if !strings.Contains(out, "l'autre client") {
				t.Errorf("forgetting cust-1001 lost cust-1002's conversation:\n%s", out)
			}
			// A report of the period no longer quotes them.
			out, _, _ = runCmd(t, "", append([]string{"kb", "report", "--since", "1d"}, storeArgs...)...)
			if strings.Contains(out, "Camille") {
				t.Errorf("the report still quotes a forgotten customer:\n%s", out)
			}
		})
	}
}

// TestRetentionFlag: --retention refuses what is not a number of days or
// a duration of a day at least.
func TestRetentionFlag(t *testing.T) {
	for text, ok := range map[string]bool{"365d": true, "48h": true, "1d": true, "0d": false, "12h": false, "un an": false, "-3d": false} {
		d, err := parseRetention(text)
		if (err == nil) != ok {
			t.Errorf("parseRetention(%q) = %v, %v", text, d, err)
		}
	}
}

// TestKeepFor: serve's retention deletes the conversations last changed
// before the period, and keeps the newer ones and those queued, on both
// stores.
func TestKeepFor(t *testing.T) {
	for _, which := range []string{"embedded", "postgresql"} {
		t.Run(which, func(t *testing.T) {
			c := serveConfig{dataDir: t.TempDir()}
			if which == "postgresql" {
				c.databaseURL = pgtest.URL(t)
			}
			st, err := openStore(t.Context(), c)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			now := time.Now()
			for id, age := range map[string]time.Duration{"old": 400 * 24 * time.Hour, "old-queued": 400 * 24 * time.Hour, "recent": 24 * time.Hour} {
				state := "bot"
				if id == "old-queued" {
					state = "queued"
				}
				at := now.Add(-age)
				if err := st.CreateConversation(t.Context(), &store.Conversation{ID: id, TokenHash: []byte("h"), State: state, CreatedAt: at, UpdatedAt: at}); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan struct{})
			go func() { keepFor(ctx, st, 365*24*time.Hour, slog.New(slog.DiscardHandler)); close(done) }()
			waitUntil(t, "the old conversation deleted", func() bool {
				_, err := st.Conversation(t.Context(), "old")
				return errors.Is(err, store.ErrNotFound)
			})
			cancel()
			<-done
			for _, id := range []string{"old-queued", "recent"} {
				if _, err := st.Conversation(t.Context(), id); err != nil {
					t.Errorf("%s: %v, want kept", id, err)
				}
			}
		})
	}
}
