package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/pgtest"
	"github.com/supportd/supportd/store"
)

// startNginx runs nginx with docs/deploy/nginx.conf in front of the
// given addresses and returns the address it listens on.
func startNginx(t *testing.T, upstreams []string) string {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		bin = "/usr/sbin/nginx"
		if _, err := os.Stat(bin); err != nil {
			t.Fatal("nginx is not installed: run .ci/ensure-nginx (make test does)")
		}
	}
	example, err := os.ReadFile("../../docs/deploy/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	conf := string(example)
	for i, up := range upstreams {
		old := fmt.Sprintf("127.0.0.1:%d", 8081+i)
		if !strings.Contains(conf, old) {
			t.Fatalf("docs/deploy/nginx.conf has no upstream %s", old)
		}
		conf = strings.Replace(conf, old, up, 1)
	}
	if !strings.Contains(conf, "listen 8080;") {
		t.Fatal("docs/deploy/nginx.conf does not listen on 8080")
	}
	conf = strings.Replace(conf, "listen 8080;", "listen "+addr+";", 1)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "supportd.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	main := fmt.Sprintf(`daemon off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path %[1]s/body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
	include %[1]s/supportd.conf;
}
`, dir)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", filepath.Join(dir, "error.log"))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if log, _ := os.ReadFile(filepath.Join(dir, "error.log")); t.Failed() && len(log) > 0 {
			t.Logf("nginx's error log:\n%s", log)
		}
	})
	waitUntil(t, "nginx to listen", func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return addr
}

// TestBehindNginx: the example nginx configuration in front of three
// supportd on one PostgreSQL. An agent's console and a customer's widget
// go through nginx to whichever process it picks; the agent takes the
// customer and they write to each other; then two of the processes are
// killed one after the other, and each time both reconnect through nginx
// and resume with nothing lost.
func TestBehindNginx(t *testing.T) {
	url := pgtest.URL(t)
	now := "2026-11-23T10:00:00+01:00"
	var replicas []*server
	var addrs []string
	for range 3 {
		r := startServer(t, t.TempDir(), "--database-url", url, "--now", now, "--trust-forwarded-for")
		replicas = append(replicas, r)
		addrs = append(addrs, r.addr)
	}
	front := startNginx(t, addrs)
	ctx := t.Context()
	st, err := store.OpenPostgres(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.AddAgent(ctx, &store.Agent{Login: "marie", Name: "Marie", PasswordHash: []byte("$2a$04$unused")}); err != nil {
		t.Fatal(err)
	}
	const cookie = "session-of-marie-through-nginx-0123"
	if err := st.CreateSession(ctx, &store.AgentSession{ID: cookie, Login: "marie", CSRF: "csrf-marie", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	marie := openConsole(t, front, "marie", cookie)
	marie.ws.WriteJSON(map[string]any{"type": "presence", "status": "online"})
	waitUntil(t, "Marie online", func() bool {
		a, err := st.Agent(ctx, "marie")
		return err == nil && a.Presence == "online"
	})
	tb, conv, token := customerOn(t, front, 1)
	marie.ws.WriteJSON(map[string]any{"type": "claim", "conversation": conv})
	marie.frame("assigned", "")

	lastSeq := 0.0
	exchange := func(round int) {
		t.Helper()
		text := fmt.Sprintf("Je m'en occupe (%d).", round)
		marie.ws.WriteJSON(map[string]any{"type": "message", "conversation": conv, "client_id": fmt.Sprintf("a_n%06d", round), "text": text})
		if f := tb.frame("message", "agent"); f["text"] != text {
			t.Fatalf("round %d: the customer read %v", round, f)
		}
		reply := fmt.Sprintf("Merci (%d).", round)
		tb.ws.WriteJSON(map[string]any{"type": "message", "client_id": fmt.Sprintf("m_n%06d", round), "text": reply})
		lastSeq = tb.frame("ack", "")["seq"].(float64)
		for {
			if f := marie.frame("message", "customer"); f["text"] == reply {
				break
			}
		}
	}
	exchange(0)
	for round, r := range replicas[:2] {
		r.cmd.Process.Signal(syscall.SIGKILL)
		r.cmd.Wait()
		// Both sides reconnect through nginx, as the widget and the
		// console do, wherever their socket was.
		tb.ws.Close()
		marie.ws.Close()
		marie = openConsole(t, front, "marie", cookie)
		tb = openTab(t, front)
		tb.ws.WriteJSON(map[string]any{"type": "hello", "v": 2, "conversation": conv, "token": token, "last_seq": lastSeq})
		if w := tb.frame("welcome", ""); w["last_seq"] != lastSeq {
			t.Fatalf("after %d killed: welcome %v, want last_seq %v", round+1, w, lastSeq)
		}
		exchange(round + 1)
	}
	msgs, err := st.Messages(ctx, conv, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]int{}
	for _, m := range msgs {
		texts[m.Text]++
	}
	for round := range 3 {
		for _, text := range []string{fmt.Sprintf("Je m'en occupe (%d).", round), fmt.Sprintf("Merci (%d).", round)} {
			if texts[text] != 1 {
				t.Errorf("%q stored %d times", text, texts[text])
			}
		}
	}
	if sc, err := st.Conversation(ctx, conv); err != nil || sc.State != "agent" || sc.Agent != "marie" {
		t.Errorf("after two processes died: %+v, %v; want held by marie", sc, err)
	}
}
