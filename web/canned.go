package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/supportd/supportd/store"
)

// The canned replies are shared by the agents: any agent lists, adds,
// edits and deletes them from the console, and inserts one in the reply
// box by typing its shortcut after « / ».

// cannedJSON is a canned reply as the console's API reads and writes it.
type cannedJSON struct {
	ID        int64  `json:"id"`
	Shortcut  string `json:"shortcut"`
	Text      string `json:"text"`
	UpdatedBy string `json:"updated_by,omitempty"`
}

// routeCanned adds the canned replies' API; the caller has put it behind
// requireAgent, which checks the CSRF header on changes.
func (h *Handler) routeCanned(r chi.Router) {
	if h.cfg.Canned == nil {
		return
	}
	r.Get("/api/canned", h.listCanned)
	r.Post("/api/canned", h.saveCanned)
	r.Delete("/api/canned/{id}", h.deleteCanned)
}

func (h *Handler) listCanned(w http.ResponseWriter, r *http.Request) {
	list, err := h.cfg.Canned.ListCanned(r.Context())
	if err != nil {
		h.cannedError(w, err)
		return
	}
	out := make([]cannedJSON, 0, len(list))
	for _, c := range list {
		out = append(out, cannedJSON{ID: c.ID, Shortcut: c.Shortcut, Text: c.Text, UpdatedBy: c.UpdatedBy})
	}
	writeJSON(w, http.StatusOK, map[string]any{"canned": out})
}

// saveCanned adds a reply (no id) or replaces one (its id).
func (h *Handler) saveCanned(w http.ResponseWriter, r *http.Request) {
	var body cannedJSON
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": `the body is JSON: {"id": 0, "shortcut": "…", "text": "…"}`})
		return
	}
	c := &store.CannedReply{ID: body.ID, Shortcut: body.Shortcut, Text: body.Text, UpdatedBy: sessionFrom(r.Context()).Login}
	if err := h.cfg.Canned.SaveCanned(r.Context(), c); err != nil {
		h.cannedError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"canned": cannedJSON{ID: c.ID, Shortcut: c.Shortcut, Text: c.Text, UpdatedBy: c.UpdatedBy}})
}

func (h *Handler) deleteCanned(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		h.cannedError(w, store.ErrNotFound)
		return
	}
	if err := h.cfg.Canned.DeleteCanned(r.Context(), id); err != nil {
		h.cannedError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"deleted": id})
}

// cannedError answers a failed request with a message the console shows.
func (h *Handler) cannedError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such reply"})
	case errors.Is(err, store.ErrExists):
		writeJSON(w, http.StatusConflict, map[string]string{"error": "shortcut taken"})
	case errors.Is(err, store.ErrInvalid):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the shortcut is 1 to 32 of a-z 0-9 - _, the text 1 to 4,000 characters"})
	default:
		h.cfg.Logger.Error("web: canned replies", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "service unavailable, try again"})
	}
}
