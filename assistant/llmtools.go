package assistant

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	openai "github.com/sashabaranov/go-openai"

	"github.com/supportd/supportd/orders"
)

// The language model may look up the customer's own orders and account,
// through tools that take no customer: each is bound, on the server, to
// who the chat verified — the shop's token, or an order proved by its
// email address. Whatever the model asks, a tool answers only with that
// customer's data, as the offline answers do (Service.lookup), and
// another customer's order is "not found" exactly as one that does not
// exist. A visitor nobody verified is offered only the in-chat
// verification. Every customer may be handed to a person.
//
// A tool's result is the text the offline assistant would answer with,
// under a source id ("commande:CMD-2026-004512", "compte"): the model
// cites it like an article, and its links and numbers are the ones its
// answer may give.

// The tools' names, as the model calls them.
const (
	toolListOrders = "list_recent_orders"
	toolGetOrder   = "get_order"
	toolAccount    = "get_account"
	toolVerify     = "start_order_verification"
	toolHandoff    = "hand_off_to_person"
)

// Source ids of the tools' results.
const (
	sourceOrderPrefix = "commande:"
	sourceAccount     = "compte"
	sourceOrders      = "commandes"
)

// customerTools are the tools offered for one message, bound to its
// customer.
type customerTools struct {
	s *Service
	m Message
	// lang is the language of the reply.
	lang string
	// sources are the results given so far, by source id.
	sources map[string]string
}

// verified reports whether the message's writer proved who they are.
func (c Customer) verified() bool {
	return c.ID != "" || len(c.Verified) > 0
}

// definitions lists the tools the model may call for this customer.
func (ct *customerTools) definitions() []openai.Tool {
	fn := func(name, description string, params any) openai.Tool {
		if params == nil {
			params = json.RawMessage(`{"type": "object", "properties": {}}`)
		}
		return openai.Tool{Type: openai.ToolTypeFunction, Function: &openai.FunctionDefinition{Name: name, Description: description, Parameters: params}}
	}
	tools := []openai.Tool{fn(toolHandoff, "Passe la conversation à une personne de l'équipe, quand le client le demande ou que les articles ne permettent pas de l'aider.", nil)}
	if ct.s.cfg.Orders == nil {
		return tools
	}
	c := ct.m.Customer
	if !c.verified() {
		return append(tools, fn(toolVerify, "Le client n'est pas identifié : lui demander de se connecter, ou son numéro de commande et son adresse email, avant de parler de ses commandes ou de son compte.", nil))
	}
	tools = append(tools,
		fn(toolListOrders, "Les commandes récentes du client identifié : numéro, date, montant, état.", nil),
		fn(toolGetOrder, "Une commande du client identifié : état, livraison et suivi, paiement, facture, et si elle peut encore être annulée.",
			json.RawMessage(`{"type": "object", "properties": {"number": {"type": "string", "description": "numéro de commande, comme CMD-2026-004512"}}, "required": ["number"]}`)))
	if c.ID != "" {
		tools = append(tools, fn(toolAccount, "Le compte du client identifié : avoir, bons d'achat et chèques cadeaux.", nil))
	}
	return tools
}

// call runs one tool call. It returns the result for the model, or, for
// a tool that ends the answer (a person, the verification), the reply to
// give instead.
func (ct *customerTools) call(ctx context.Context, call openai.ToolCall) (string, *Reply) {
	lang := replyLang(ct.lang)
	t := texts[lang]
	c := ct.m.Customer
	allowed := false
	for _, d := range ct.definitions() {
		allowed = allowed || d.Function.Name == call.Function.Name
	}
	if !allowed {
		return `{"error": "outil inconnu"}`, nil
	}
	switch call.Function.Name {
	case toolHandoff:
		r := ct.s.HandoffReply(lang)
		return "", &r
	case toolVerify:
		r := Reply{Route: RouteOrder, Lang: lang, Text: t.orderAccount, Actions: []Action{{ID: "handoff", Label: t.talkToPerson}}}
		return "", &r
	case toolListOrders:
		return ct.listOrders(ctx, lang)
	case toolGetOrder:
		var args struct {
			Number string `json:"number"`
		}
		json.Unmarshal([]byte(call.Function.Arguments), &args)
		number, ok := orders.NormalizeNumber(args.Number)
		if !ok {
			return `{"error": "numéro de commande invalide"}`, nil
		}
		o, err := ct.s.lookup(ctx, c, number)
		reply := ct.s.orderReply(o, err, number, aspectSummary, Reply{Route: RouteOrder, Lang: lang})
		if err != nil {
			return ct.result("", reply.Text), nil
		}
		var b strings.Builder
		b.WriteString(reply.Text)
		b.WriteString("\n\n" + ct.s.cancelText(o, t))
		return ct.result(sourceOrderPrefix+o.Number, b.String()), nil
	case toolAccount:
		reply := ct.s.accountReply(ctx, c.ID, Reply{Route: RouteOrder, Lang: lang})
		return ct.result(sourceAccount, reply.Text), nil
	}
	return `{"error": "outil inconnu"}`, nil
}

// listOrders lists the customer's recent orders: their own, and those
// they verified in the chat.
func (ct *customerTools) listOrders(ctx context.Context, lang string) (string, *Reply) {
	t := texts[lang]
	c := ct.m.Customer
	var list []orders.Order
	if c.ID != "" {
		own, err := ct.s.cfg.Orders.Orders(ctx, c.ID, recentOrders)
		if err != nil {
			return ct.result("", ct.s.ordersUnavailable(err, Reply{Lang: lang}).Text), nil
		}
		list = own
	}
	for number := range c.Verified {
		if o, err := ct.s.lookup(ctx, c, number); err == nil && !containsOrder(list, o.Number) {
			list = append(list, o)
		}
	}
	if len(list) == 0 {
		return ct.result(sourceOrders, t.noOrders), nil
	}
	var b strings.Builder
	for _, o := range list {
		fmt.Fprintf(&b, "- %s · %s · %s · %s\n", o.Number, shortDate(lang, ct.s.loc(), o.PlacedAt), o.Total.Format(lang), t.status[o.Status])
	}
	return ct.result(sourceOrders, b.String()), nil
}

func containsOrder(list []orders.Order, number string) bool {
	for _, o := range list {
		if o.Number == number {
			return true
		}
	}
	return false
}

// text joins the results given so far, for the checks of what the model
// writes.
func (ct *customerTools) text() string {
	var b strings.Builder
	for _, t := range ct.sources {
		b.WriteString(t + "\n")
	}
	return b.String()
}

// result keeps a tool's text under its source id ("" for an error the
// model may tell but not cite) and encodes it for the model.
func (ct *customerTools) result(source, text string) string {
	if source != "" {
		ct.sources[source] = text
	}
	data, _ := json.Marshal(map[string]string{"source": source, "text": text})
	return string(data)
}
