package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/gorilla/websocket"

	"github.com/supportd/supportd/chat"
	"github.com/supportd/supportd/store"
)

// AgentDesk runs the agent console's socket and answers email requests.
// *chat.Service implements it.
type AgentDesk interface {
	// ServeAgent runs one console socket of an authenticated agent.
	ServeAgent(ctx context.Context, ws *websocket.Conn, agent store.Agent) error
	// Tickets lists the email requests with that status ("" for all).
	Tickets(ctx context.Context, status string) ([]chat.TicketInfo, error)
	// TicketDetail returns a request and its conversation's transcript.
	TicketDetail(ctx context.Context, number int64) (chat.TicketInfo, []json.RawMessage, error)
	// AnswerTicket emails an agent's answer and marks the request
	// answered.
	AnswerTicket(ctx context.Context, number int64, login, text string) (chat.TicketInfo, error)
	// Surveys lists the latest satisfaction surveys, with their mean.
	Surveys(ctx context.Context, limit int) ([]chat.SurveyInfo, float64, error)
	// History finds closed conversations; Transcript reads one
	// (store.ErrNotFound if none).
	History(ctx context.Context, q store.HistoryQuery) ([]chat.HistoryItem, error)
	Transcript(ctx context.Context, conversation string) ([]json.RawMessage, error)
}

var _ AgentDesk = (*chat.Service)(nil)

// routeDesk adds the console's socket and JSON API; the caller has put
// them behind requireAgent.
func (h *Handler) routeDesk(r chi.Router) {
	if h.cfg.Desk == nil {
		return
	}
	r.Get("/ws", h.agentSocket)
	r.Get("/api/tickets", h.listTickets)
	r.Get("/api/tickets/{number}", h.showTicket)
	r.Post("/api/tickets/{number}/reply", h.answerTicket)
	r.Get("/api/surveys", h.listSurveys)
	r.Get("/api/history", h.findHistory)
	r.Get("/api/history/{conversation}", h.showHistory)
}

// findHistory answers GET /agent/api/history?from=2026-11-01&to=2026-11-30
// &agent=marie&resolution=answered&q=colis: the closed conversations, the
// latest first (dates are days in the server's zone, to included).
func (h *Handler) findHistory(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := store.HistoryQuery{Agent: v.Get("agent"), Resolution: v.Get("resolution"), Text: v.Get("q"), Limit: 100}
	for _, d := range []struct {
		name string
		to   *time.Time
		next bool
	}{{"from", &q.From, false}, {"to", &q.To, true}} {
		if s := v.Get(d.name); s != "" {
			day, err := time.ParseInLocation("2006-01-02", s, time.Local)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": d.name + " is a date, 2026-11-23"})
				return
			}
			if d.next {
				day = day.AddDate(0, 0, 1)
			}
			*d.to = day
		}
	}
	if len(q.Text) > 200 || len(q.Agent) > 64 || len(q.Resolution) > 32 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "filter too long"})
		return
	}
	list, err := h.cfg.Desk.History(r.Context(), q)
	if err != nil {
		h.apiError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"history": list})
}

// showHistory answers GET /agent/api/history/{conversation}: its transcript.
func (h *Handler) showHistory(w http.ResponseWriter, r *http.Request) {
	msgs, err := h.cfg.Desk.Transcript(r.Context(), chi.URLParam(r, "conversation"))
	if err != nil {
		h.apiError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": msgs})
}

// listSurveys answers GET /agent/api/surveys: the 50 latest answers to
// the satisfaction survey and their mean rating.
func (h *Handler) listSurveys(w http.ResponseWriter, r *http.Request) {
	list, mean, err := h.cfg.Desk.Surveys(r.Context(), 50)
	if err != nil {
		h.apiError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"surveys": list, "mean": mean})
}

// sameOrigin reports whether the request's Origin is the server's own:
// the console is served by supportd, never embedded in a shop's page.
func sameOrigin(r *http.Request) bool {
	u, err := url.Parse(r.Header.Get("Origin"))
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

// agentSocket upgrades the console's websocket for the session's agent.
func (h *Handler) agentSocket(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		http.Error(w, "origin not allowed", http.StatusForbidden)
		return
	}
	agent, ok := h.sessionAgent(w, r)
	if !ok {
		return
	}
	up := h.upgrader
	up.CheckOrigin = sameOrigin
	ws, err := up.Upgrade(batchingHijacker{w}, r, nil)
	if err != nil {
		return
	}
	// Served from a goroutine of its own, as a widget's socket is.
	go h.cfg.Desk.ServeAgent(h.ctx, ws, *agent)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// apiError answers a JSON API request with an error.
func (h *Handler) apiError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such ticket"})
	case errors.Is(err, chat.ErrBadAnswer), errors.Is(err, store.ErrInvalid):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
	default:
		h.cfg.Logger.Error("web: tickets", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "service unavailable, try again"})
	}
}

func (h *Handler) listTickets(w http.ResponseWriter, r *http.Request) {
	status := r.URL.Query().Get("status")
	switch status {
	case "", store.TicketOpen, store.TicketAnswered, store.TicketClosed:
	default:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "status is open, answered or closed"})
		return
	}
	list, err := h.cfg.Desk.Tickets(r.Context(), status)
	if err != nil {
		h.apiError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"tickets": list})
}

// ticketNumber parses the {number} of a ticket's address.
func ticketNumber(r *http.Request) (int64, bool) {
	n, err := strconv.ParseInt(chi.URLParam(r, "number"), 10, 64)
	return n, err == nil && n > 0
}

func (h *Handler) showTicket(w http.ResponseWriter, r *http.Request) {
	n, ok := ticketNumber(r)
	if !ok {
		h.apiError(w, store.ErrNotFound)
		return
	}
	t, msgs, err := h.cfg.Desk.TicketDetail(r.Context(), n)
	if err != nil {
		h.apiError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ticket": t, "messages": msgs})
}

func (h *Handler) answerTicket(w http.ResponseWriter, r *http.Request) {
	n, ok := ticketNumber(r)
	if !ok {
		h.apiError(w, store.ErrNotFound)
		return
	}
	var body struct {
		Text string `json:"text"`
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the body is JSON: {\"text\": \"…\"}"})
		return
	}
	t, err := h.cfg.Desk.AnswerTicket(r.Context(), n, sessionFrom(r.Context()).Login, body.Text)
	if err != nil {
		h.apiError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ticket": t})
}
