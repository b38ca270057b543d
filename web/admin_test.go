package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/supportd/supportd/store"
)

// TestAdminPage: only admins reach /agent/admin; there they add an agent,
// reset a password and disable an agent, who can then no longer log in
// nor use the session they had; the changes need the CSRF token.
func TestAdminPage(t *testing.T) {
	srv, st := newAgentServer(t, Config{TrustForwardedFor: true})
	n := 0
	fresh := func() *browser {
		b := newBrowser(t, srv)
		n++
		b.ip = "192.0.2." + string(rune('0'+n))
		return b
	}
	hash, _ := bcrypt.GenerateFromPassword([]byte(agentPassword), bcrypt.MinCost)
	if err := st.AddAgent(t.Context(), &store.Agent{Login: "boss", Name: "Boss", PasswordHash: hash, Role: store.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	zoe := fresh()
	zoe.login("zoe", agentPassword)
	if resp, _ := zoe.do("GET", "/agent/admin", nil, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an agent on the admins' page: %s", resp.Status)
	}
	if resp, body := zoe.do("GET", "/agent", nil, nil); strings.Contains(body, `href="/agent/admin"`) {
		t.Errorf("an agent's console links to the admins' page (%s)", resp.Status)
	}
	boss := fresh()
	boss.login("boss", agentPassword)
	resp, body := boss.do("GET", "/agent/admin", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `data-login="zoe"`) || !strings.Contains(body, "Zoé &lt;script&gt;") {
		t.Fatalf("the admins' page: %s\n%s", resp.Status, body)
	}
	form := func(path string, v url.Values) *http.Response {
		t.Helper()
		v.Set("csrf", boss.csrf)
		resp, _ := boss.do("POST", path, v, nil)
		return resp
	}
	// Without the CSRF token: refused.
	if resp, _ := boss.do("POST", "/agent/admin/agents/zoe/disabled", url.Values{"disabled": {"1"}}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a change without the CSRF token: %s", resp.Status)
	}
	if resp := form("/agent/admin/agents", url.Values{"login": {"paul"}, "name": {"Paul"}, "capacity": {"2"}, "role": {"agent"}, "password": {"court"}}); !strings.Contains(resp.Header.Get("Location"), "done=short") {
		t.Errorf("a short password: %s", resp.Header.Get("Location"))
	}
	if resp := form("/agent/admin/agents", url.Values{"login": {"paul"}, "name": {"Paul"}, "capacity": {"2"}, "role": {"agent"}, "password": {"le mot de passe de Paul"}}); !strings.Contains(resp.Header.Get("Location"), "done=added") {
		t.Errorf("adding paul: %s", resp.Header.Get("Location"))
	}
	if resp := form("/agent/admin/agents", url.Values{"login": {"PAUL"}, "capacity": {"2"}, "role": {"agent"}, "password": {"encore un autre mot"}}); !strings.Contains(resp.Header.Get("Location"), "done=taken") {
		t.Errorf("adding paul twice: %s", resp.Header.Get("Location"))
	}
	paul := fresh()
	if resp, _ := paul.login("paul", "le mot de passe de Paul"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("paul logs in: %s", resp.Status)
	}
	// A new password: the old one no longer works.
	form("/agent/admin/agents/paul/password", url.Values{"password": {"un nouveau mot de passe"}})
	if resp, _ := fresh().login("paul", "le mot de passe de Paul"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the old password after a reset: %s", resp.Status)
	}
	if resp, _ := fresh().login("paul", "un nouveau mot de passe"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the new password: %s", resp.Status)
	}
	// Disabled: no login, and the open session is over.
	form("/agent/admin/agents/paul/disabled", url.Values{"disabled": {"1"}})
	if resp, _ := fresh().login("paul", "un nouveau mot de passe"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a disabled agent logs in: %s", resp.Status)
	}
	if resp, _ := paul.do("GET", "/agent/api/canned", nil, nil); resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusNotFound {
		t.Errorf("a disabled agent's session: %s", resp.Status)
	}
	if resp, _ := paul.do("GET", "/agent", nil, nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a disabled agent's console: %s, want the login page", resp.Status)
	}
	// An admin cannot disable themselves.
	if resp := form("/agent/admin/agents/boss/disabled", url.Values{"disabled": {"1"}}); !strings.Contains(resp.Header.Get("Location"), "done=refused") {
		t.Errorf("an admin disabling themselves: %s", resp.Header.Get("Location"))
	}
	if a, _ := st.Agent(t.Context(), "paul"); a == nil || !a.Disabled || a.Capacity != 2 {
		t.Errorf("paul in the store: %+v", a)
	}
}
