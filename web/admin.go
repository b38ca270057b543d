package web

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/supportd/supportd/store"
)

// The admins' page, /agent/admin, manages the agents from the browser as
// `supportd agent` does from the command line: it adds agents, disables
// and enables them, and resets their passwords. Only agents with the admin
// role reach it; every change is a form with the session's CSRF token.

// MinPasswordLength is the shortest password an agent may have, in
// characters.
const MinPasswordLength = 10

// routeAdmin adds the admins' page; the caller has put it behind
// requireAgent.
func (h *Handler) routeAdmin(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(h.requireAdmin)
		r.Get("/admin", h.adminPage)
		r.Post("/admin/agents", h.adminAdd)
		r.Post("/admin/agents/{login}/disabled", h.adminDisable)
		r.Post("/admin/agents/{login}/password", h.adminPassword)
	})
}

// requireAdmin lets through the admins only; the others get 403.
func (h *Handler) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := h.sessionAgent(w, r)
		if !ok {
			return
		}
		if a.Role != store.RoleAdmin {
			http.Error(w, "for admins only", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type adminText struct {
	Title, Back, Agents, Login, Name, Capacity, Role, Status, Actions, Agent, Admin, Editor string
	Active, Disabled, Disable, Enable, NewPassword, Reset, Add, Password, AddButton         string
	Added, Saved, Refused, Taken, Short                                                     string
}

var adminTexts = map[string]adminText{
	"fr": {Title: "Administration des conseillers", Back: "Retour à la console", Agents: "Conseillers", Login: "Identifiant", Name: "Nom",
		Capacity: "Capacité", Role: "Rôle", Status: "État", Actions: "Actions", Agent: "Conseiller", Admin: "Administrateur", Editor: "Éditeur",
		Active: "Actif", Disabled: "Désactivé", Disable: "Désactiver", Enable: "Réactiver", NewPassword: "Nouveau mot de passe",
		Reset: "Changer le mot de passe", Add: "Ajouter un conseiller", Password: "Mot de passe (10 caractères au moins)", AddButton: "Ajouter",
		Added: "Conseiller ajouté.", Saved: "Modification enregistrée.", Refused: "Demande refusée : vérifiez les champs.",
		Taken: "Cet identifiant est déjà pris.", Short: "Le mot de passe doit avoir au moins 10 caractères."},
	"en": {Title: "Agents' administration", Back: "Back to the console", Agents: "Agents", Login: "Login", Name: "Name",
		Capacity: "Capacity", Role: "Role", Status: "Status", Actions: "Actions", Agent: "Agent", Admin: "Admin", Editor: "Editor",
		Active: "Active", Disabled: "Disabled", Disable: "Disable", Enable: "Enable", NewPassword: "New password",
		Reset: "Change the password", Add: "Add an agent", Password: "Password (10 characters or more)", AddButton: "Add",
		Added: "Agent added.", Saved: "Change saved.", Refused: "Request refused: check the fields.",
		Taken: "This login is taken.", Short: "The password must have at least 10 characters."},
}

var adminTemplate = template.Must(template.New("admin").Parse(loginPageHead + `<main class="admin">
<p><a href="/agent">{{.T.Back}}</a></p>
<h1>{{.T.Title}}</h1>
{{with .Notice}}<p class="status-line" role="status">{{.}}</p>{{end}}
<h2>{{.T.Agents}}</h2>
<table class="agents-table">
<thead><tr><th scope="col">{{.T.Login}}</th><th scope="col">{{.T.Name}}</th><th scope="col">{{.T.Capacity}}</th><th scope="col">{{.T.Role}}</th><th scope="col">{{.T.Status}}</th><th scope="col">{{.T.Actions}}</th></tr></thead>
<tbody>
{{range .Agents}}<tr data-login="{{.Login}}">
<td>{{.Login}}</td><td>{{.Name}}</td><td>{{.Capacity}}</td><td>{{if eq .Role "admin"}}{{$.T.Admin}}{{else if eq .Role "editor"}}{{$.T.Editor}}{{else}}{{$.T.Agent}}{{end}}</td>
<td>{{if .Disabled}}{{$.T.Disabled}}{{else}}{{$.T.Active}}{{end}}</td>
<td>
<form method="post" action="/agent/admin/agents/{{.Login}}/disabled" class="inline">
<input type="hidden" name="csrf" value="{{$.CSRF}}">
<input type="hidden" name="disabled" value="{{if .Disabled}}0{{else}}1{{end}}">
<button type="submit" class="toggle">{{if .Disabled}}{{$.T.Enable}}{{else}}{{$.T.Disable}}{{end}}</button>
</form>
<form method="post" action="/agent/admin/agents/{{.Login}}/password" class="inline">
<input type="hidden" name="csrf" value="{{$.CSRF}}">
<label for="pw-{{.Login}}" class="sr">{{$.T.NewPassword}} ({{.Login}})</label>
<input id="pw-{{.Login}}" name="password" type="password" autocomplete="new-password" minlength="10" required placeholder="{{$.T.NewPassword}}">
<button type="submit" class="reset">{{$.T.Reset}}</button>
</form>
</td>
</tr>
{{end}}</tbody>
</table>
<h2>{{.T.Add}}</h2>
<form method="post" action="/agent/admin/agents" class="add-agent">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="new-login">{{.T.Login}}</label>
<input id="new-login" name="login" maxlength="64" required pattern="[a-zA-Z0-9._\-]{1,64}">
<label for="new-name">{{.T.Name}}</label>
<input id="new-name" name="name" maxlength="100">
<label for="new-capacity">{{.T.Capacity}}</label>
<input id="new-capacity" name="capacity" type="number" min="1" max="50" value="3">
<label for="new-role">{{.T.Role}}</label>
<select id="new-role" name="role"><option value="agent">{{.T.Agent}}</option><option value="editor">{{.T.Editor}}</option><option value="admin">{{.T.Admin}}</option></select>
<label for="new-password">{{.T.Password}}</label>
<input id="new-password" name="password" type="password" autocomplete="new-password" minlength="10" required>
<button type="submit">{{.T.AddButton}}</button>
</form>
</main>
</body>
</html>
`))

// adminPage lists the agents, with the forms that manage them.
func (h *Handler) adminPage(w http.ResponseWriter, r *http.Request) {
	h.renderAdmin(w, r, http.StatusOK, r.URL.Query().Get("done"))
}

func (h *Handler) renderAdmin(w http.ResponseWriter, r *http.Request, status int, notice string) {
	lang := pageLang(r)
	t := adminTexts[lang]
	list, err := h.cfg.Agents.ListAgents(r.Context())
	if err != nil {
		h.cfg.Logger.Error("web: list agents", "err", err)
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	switch notice {
	case "added":
		notice = t.Added
	case "saved":
		notice = t.Saved
	case "refused":
		notice = t.Refused
	case "taken":
		notice = t.Taken
	case "short":
		notice = t.Short
	default:
		notice = ""
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	adminTemplate.Execute(w, map[string]any{"Lang": lang, "T": t, "Agents": list, "CSRF": sessionFrom(r.Context()).CSRF, "Notice": notice})
}

// adminDone sends the admin back to the page, saying what happened.
func adminDone(w http.ResponseWriter, r *http.Request, what string) {
	http.Redirect(w, r, "/agent/admin?done="+what, http.StatusSeeOther)
}

// adminAdd adds an agent.
func (h *Handler) adminAdd(w http.ResponseWriter, r *http.Request) {
	login := strings.TrimSpace(r.PostFormValue("login"))
	password := r.PostFormValue("password")
	capacity, err := strconv.Atoi(r.PostFormValue("capacity"))
	role := r.PostFormValue("role")
	if err != nil || capacity < 1 || capacity > 50 || !store.ValidLogin(login) || (role != store.RoleAgent && role != store.RoleEditor && role != store.RoleAdmin) {
		adminDone(w, r, "refused")
		return
	}
	hash, ok := h.passwordHash(w, r, password)
	if !ok {
		return
	}
	a := &store.Agent{Login: login, Name: strings.TrimSpace(r.PostFormValue("name")), PasswordHash: hash, Capacity: capacity, Role: role}
	switch err := h.cfg.Agents.AddAgent(r.Context(), a); {
	case errors.Is(err, store.ErrExists):
		adminDone(w, r, "taken")
	case errors.Is(err, store.ErrInvalid):
		adminDone(w, r, "refused")
	case err != nil:
		h.cfg.Logger.Error("web: add agent", "err", err)
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
	default:
		h.cfg.Logger.Info("web: agent added", "login", a.Login, "by", sessionFrom(r.Context()).Login)
		adminDone(w, r, "added")
	}
}

// adminDisable disables an agent (disabled=1) or enables one again
// (disabled=0). An admin cannot disable themselves.
func (h *Handler) adminDisable(w http.ResponseWriter, r *http.Request) {
	login := strings.ToLower(chi.URLParam(r, "login"))
	disabled := r.PostFormValue("disabled") == "1"
	if disabled && login == sessionFrom(r.Context()).Login {
		adminDone(w, r, "refused")
		return
	}
	h.adminSave(w, r, login, h.cfg.Agents.SetAgentDisabled(r.Context(), login, disabled))
}

// adminPassword sets an agent's new password.
func (h *Handler) adminPassword(w http.ResponseWriter, r *http.Request) {
	login := strings.ToLower(chi.URLParam(r, "login"))
	hash, ok := h.passwordHash(w, r, r.PostFormValue("password"))
	if !ok {
		return
	}
	h.adminSave(w, r, login, h.cfg.Agents.SetAgentPassword(r.Context(), login, hash))
}

// passwordHash returns a new password's bcrypt hash; a password too
// short sends the admin back to the page, and false.
func (h *Handler) passwordHash(w http.ResponseWriter, r *http.Request, password string) ([]byte, bool) {
	if utf8.RuneCountInString(password) < MinPasswordLength {
		adminDone(w, r, "short")
		return nil, false
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), h.agents.cost)
	if err != nil {
		adminDone(w, r, "refused")
		return nil, false
	}
	return hash, true
}

// adminSave answers a change of an agent.
func (h *Handler) adminSave(w http.ResponseWriter, r *http.Request, login string, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrInvalid):
		adminDone(w, r, "refused")
	case err != nil:
		h.cfg.Logger.Error("web: change agent", "agent", login, "err", err)
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
	default:
		h.cfg.Logger.Info("web: agent changed", "login", login, "by", sessionFrom(r.Context()).Login)
		adminDone(w, r, "saved")
	}
}
