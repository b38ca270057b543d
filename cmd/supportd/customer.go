package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/supportd/supportd/store"
)

// runCustomer runs "supportd customer export|forget ID": a customer's
// right of access and right to erasure (GDPR), for a verified customer's
// id as the shop knows it.
func runCustomer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "export" && args[0] != "forget" {
		fmt.Fprintln(stderr, "usage: supportd customer export|forget ID [--data DIR | --database-url URL]")
		return errUsage
	}
	verb := args[0]
	var c serveConfig
	fs := newFlagSet("customer "+verb, stderr)
	storeFlags(fs, &c)
	// The id may come before or after the flags.
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() == 0 {
		return errUsage
	}
	id := fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil || fs.NArg() > 0 || id == "" {
		return errUsage
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()
	convs, err := st.CustomerConversations(ctx, id)
	if err != nil {
		return err
	}
	if verb == "forget" {
		ids := make([]string, len(convs))
		for i, cv := range convs {
			ids[i] = cv.ID
		}
		n, err := st.DeleteConversations(ctx, ids)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "customer %s: %d conversations deleted, with their messages, votes, email requests and survey answers\n", id, n)
		return nil
	}
	export, err := exportCustomer(ctx, st, id, convs)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(export)
}

// customerExport is what supportd keeps of a customer, as exported.
type customerExport struct {
	Customer      string               `json:"customer"`
	ExportedAt    time.Time            `json:"exported_at"`
	Conversations []conversationExport `json:"conversations"`
}

type conversationExport struct {
	ID        string           `json:"id"`
	Lang      string           `json:"lang,omitempty"`
	CreatedAt time.Time        `json:"created_at"`
	Messages  []messageExport  `json:"messages"`
	Votes     []store.Feedback `json:"votes,omitempty"`
	Tickets   []ticketExport   `json:"email_requests,omitempty"`
	Surveys   []surveyExport   `json:"surveys,omitempty"`
}

type messageExport struct {
	Seq       int64     `json:"seq"`
	Author    string    `json:"author"`
	Agent     string    `json:"agent,omitempty"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

type ticketExport struct {
	Number    int64     `json:"number"`
	Email     string    `json:"email"`
	Name      string    `json:"name,omitempty"`
	Message   string    `json:"message"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

type surveyExport struct {
	Rating    int       `json:"rating"`
	Comment   string    `json:"comment,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// exportCustomer gathers a customer's conversations with everything of
// theirs; agents' internal notes are the shop's, not the customer's, and
// stay out.
func exportCustomer(ctx context.Context, st supportdStore, id string, convs []store.Conversation) (customerExport, error) {
	out := customerExport{Customer: id, ExportedAt: time.Now().UTC(), Conversations: []conversationExport{}}
	tickets, err := st.ListTickets(ctx, "", 0)
	if err != nil {
		return out, err
	}
	surveys, err := st.ListSurveys(ctx, 0)
	if err != nil {
		return out, err
	}
	for _, cv := range convs {
		msgs, err := st.Messages(ctx, cv.ID, 0, 0)
		if err != nil {
			return out, err
		}
		votes, err := st.ConversationFeedback(ctx, cv.ID)
		if err != nil {
			return out, err
		}
		ce := conversationExport{ID: cv.ID, Lang: cv.Lang, CreatedAt: cv.CreatedAt, Messages: []messageExport{}, Votes: votes}
		for _, m := range msgs {
			if m.Author == store.AuthorNote {
				continue
			}
			ce.Messages = append(ce.Messages, messageExport{Seq: m.Seq, Author: m.Author, Agent: m.AgentID, Text: m.Text, CreatedAt: m.CreatedAt})
		}
		for _, t := range tickets {
			if t.ConversationID == cv.ID {
				ce.Tickets = append(ce.Tickets, ticketExport{Number: t.Number, Email: t.Email, Name: t.Name, Message: t.Message, Status: t.Status, CreatedAt: t.CreatedAt})
			}
		}
		for _, s := range surveys {
			if s.ConversationID == cv.ID {
				ce.Surveys = append(ce.Surveys, surveyExport{Rating: s.Rating, Comment: s.Comment, CreatedAt: s.CreatedAt})
			}
		}
		out.Conversations = append(out.Conversations, ce)
	}
	return out, nil
}

// retentionBatch is how many old conversations one transaction deletes.
const retentionBatch = 500

// keepFor deletes, at once and then every hour until ctx ends, the
// conversations last changed more than retention ago (serve
// --retention).
func keepFor(ctx context.Context, st store.Retention, retention time.Duration, log *slog.Logger) {
	for {
		ids, err := st.ConversationsBefore(ctx, time.Now().Add(-retention))
		if err != nil && ctx.Err() == nil {
			log.Warn("retention: old conversations", "err", err)
		}
		deleted := 0
		for len(ids) > 0 && ctx.Err() == nil {
			batch := ids[:min(len(ids), retentionBatch)]
			ids = ids[len(batch):]
			n, err := st.DeleteConversations(ctx, batch)
			if err != nil {
				log.Warn("retention: delete conversations", "err", err)
				break
			}
			deleted += n
		}
		if deleted > 0 {
			log.Info("retention: conversations deleted", "count", deleted, "older_than", retention)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Hour):
		}
	}
}
