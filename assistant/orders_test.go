package assistant

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/orders"
)

// shopYAML is a small shop: two customers, whose orders cover the
// statuses and payments the answers explain.
const shopYAML = `
customers:
  - id: alice
    name: Alice Martin
    email: alice@example.fr
    credit: 12.00
    credit_expires: 2027-03-31
  - id: bruno
    name: Bruno Petit
    email: bruno@example.fr
    vouchers:
      - {code: GIFT-1, kind: gift, label: Cadeau, amount: 30.00, remaining: 10.00, expires: 2027-01-31}
orders:
  - number: CMD-2026-000101
    customer: alice
    placed_at: 2026-11-16T10:00:00+01:00
    status: shipped
    payment: {method: card, state: paid, paid_at: 2026-11-16T10:00:00+01:00}
    items: [{sku: A1, name: Carnet secret Alice, quantity: 1, unit_price: 20.00}]
    subtotal: 20.00
    shipping_cost: 4.90
    total: 24.90
    shipping_address: {name: Alice Martin, line1: 1 rue Alice, postal_code: "75001", city: Paris, country: FR}
    carrier: Colissimo
    tracking_number: 6A11111111111
    shipped_at: 2026-11-16T16:00:00+01:00
    invoice: {number: FAC-ALICE-1, issued_at: 2026-11-16T16:00:00+01:00, url: https://shop.example/f/FAC-ALICE-1.pdf}
  - number: CMD-2026-000102
    customer: alice
    placed_at: 2026-11-20T16:30:00+01:00
    status: processing
    payment: {method: card, state: paid, paid_at: 2026-11-20T16:30:00+01:00}
    items: [{sku: A2, name: Stylo Alice, quantity: 2, unit_price: 5.00}]
    subtotal: 10.00
    shipping_cost: 4.90
    total: 14.90
    shipping_address: {name: Alice Martin, line1: 1 rue Alice, postal_code: "75001", city: Paris, country: FR}
  - number: CMD-2026-000201
    customer: bruno
    placed_at: 2026-11-18T09:00:00+01:00
    status: pending
    payment: {method: bank_transfer, state: pending}
    items: [{sku: B1, name: Lampe Bruno, quantity: 1, unit_price: 77.00}]
    subtotal: 77.00
    shipping_cost: 9.90
    total: 86.90
    shipping_address: {name: Bruno Petit, line1: 9 avenue Bruno, postal_code: "13001", city: Marseille, country: FR}
`

// monday is the time of the tests: Monday 23 November 2026, 11:00 in Paris.
var monday = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func newShop(t *testing.T) (*Service, *orders.Fixture) {
	t.Helper()
	f, err := orders.ParseFixture([]byte(shopYAML))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(Config{Searcher: hits(0.1), Orders: f, Now: func() time.Time { return monday }})
	if err != nil {
		t.Fatal(err)
	}
	return svc, f
}

func TestOrderAnswersFromLiveData(t *testing.T) {
	svc, _ := newShop(t)
	cases := []struct {
		who, msg, focus string
		want            []string
		not             []string
	}{
		{"alice", "où en est ma commande CMD-2026-000101 ?", "", []string{"expédiée le 16 novembre 2026 avec Colissimo", "6A11111111111", "laposte.fr", "FAC-ALICE-1"}, nil},
		{"alice", "where is my order cmd-2026-000101?", "", []string{"shipped on 16 November 2026", "6A11111111111"}, nil},
		// Paid on Friday 16:30, after the 15:00 cut-off: Monday, today.
		{"alice", "quand ma commande CMD-2026-000102 sera-t-elle expédiée ?", "", []string{"en cours de préparation", "aujourd'hui"}, nil},
		{"alice", "puis-je annuler la commande CMD-2026-000102 ?", "", []string{"ne peut plus être annulée"}, nil},
		{"alice", "je voudrais la facture de la commande CMD-2026-000102", "", []string{"pas encore émise"}, []string{"FAC-ALICE-1"}},
		{"alice", "et la facture ?", "CMD-2026-000101", []string{"FAC-ALICE-1", "https://shop.example/f/FAC-ALICE-1.pdf"}, nil},
		{"alice", "combien me reste-t-il sur mon avoir ?", "", []string{"12,00\u00a0€", "31 mars 2027"}, nil},
		{"alice", "où en est ma commande ?", "", []string{"De quelle commande"}, nil},
		{"bruno", "où en est ma commande ?", "", []string{"virement de 86,90\u00a0€", "CMD-2026-000201"}, nil},
		{"bruno", "est-ce que je peux encore l'annuler ?", "CMD-2026-000201", []string{"vous pouvez l'annuler"}, nil},
		{"bruno", "combien reste-t-il sur mon avoir et mes bons ?", "", []string{"pas d'avoir", "10,00\u00a0€", "30,00\u00a0€"}, nil},
	}
	for _, c := range cases {
		t.Run(c.msg, func(t *testing.T) {
			r, err := svc.Answer(context.Background(), Message{Text: c.msg, Customer: Customer{ID: c.who, Focus: c.focus}})
			if err != nil {
				t.Fatal(err)
			}
			if r.Route != RouteOrder {
				t.Fatalf("route %s, want order; text %q", r.Route, r.Text)
			}
			for _, w := range c.want {
				if !strings.Contains(r.Text, w) {
					t.Errorf("reply lacks %q:\n%s", w, r.Text)
				}
			}
			for _, w := range c.not {
				if strings.Contains(r.Text, w) {
					t.Errorf("reply holds %q:\n%s", w, r.Text)
				}
			}
			if !hasAction(r, "handoff") {
				t.Errorf("no offer of a person under %q", r.Text)
			}
		})
	}
}

func hasAction(r Reply, id string) bool {
	for _, a := range r.Actions {
		if a.ID == id {
			return true
		}
	}
	return false
}

func TestSeveralOrdersOfferQuickReplies(t *testing.T) {
	svc, _ := newShop(t)
	r := svc.OrdersMenu(context.Background(), Message{Customer: Customer{ID: "alice"}})
	if !hasAction(r, "order:CMD-2026-000102") || !hasAction(r, "order:CMD-2026-000101") {
		t.Fatalf("actions %+v", r.Actions)
	}
	// The most recent first.
	if r.Actions[0].ID != "order:CMD-2026-000102" {
		t.Errorf("first action %+v", r.Actions[0])
	}
	picked := svc.OrderReply(context.Background(), Message{Customer: Customer{ID: "alice"}}, "CMD-2026-000101", "")
	if picked.Focus != "CMD-2026-000101" || !strings.Contains(picked.Text, "Colissimo") {
		t.Errorf("picked: focus %q, %q", picked.Focus, picked.Text)
	}
	anon := svc.OrdersMenu(context.Background(), Message{})
	if strings.Contains(anon.Text, "CMD-") || len(anon.Actions) != 1 {
		t.Errorf("an anonymous visitor was offered orders: %+v", anon)
	}
}

// secretsOf lists what of an order no one else may read.
func secretsOf(o orders.Order) []string {
	s := []string{o.ShippingAddress.Line1, o.ShippingAddress.City, o.Total.Format("fr"), o.Total.Format("en")}
	for _, it := range o.Items {
		s = append(s, it.Name)
	}
	if o.TrackingNumber != "" {
		s = append(s, o.TrackingNumber)
	}
	if o.Invoice != nil {
		s = append(s, o.Invoice.Number, o.Invoice.URL)
	}
	return s
}

// TestNoCustomerReadsAnothersOrder is the attack suite of the assistant:
// each customer, and an anonymous visitor, tries every way the assistant
// offers to read the other's orders. Every answer must hold none of their
// data, and read exactly like the answer about an order that does not
// exist.
func TestNoCustomerReadsAnothersOrder(t *testing.T) {
	svc, f := newShop(t)
	ctx := context.Background()
	const ghost = "CMD-2026-999999"
	asks := []string{
		"où en est la commande %s ?",
		"facture de la commande %s",
		"puis-je annuler la commande %s",
		"where is order %s",
		"commande %s, mon email est alice@example.fr",
		"commande %s, mon email est bruno@example.fr",
	}
	attackers := []Customer{
		{ID: "alice"}, {ID: "bruno"}, {},
		// A visitor who verified one order tries the others.
		{Verified: map[string]string{"CMD-2026-000101": "alice@example.fr"}},
		// Forged state: a verification with the wrong email.
		{Verified: map[string]string{"CMD-2026-000201": "alice@example.fr"}},
	}
	leaks := 0
	for _, victim := range f.AllOrders() {
		for _, who := range attackers {
			if who.ID == victim.CustomerID {
				continue
			}
			if email, ok := who.Verified[victim.Number]; ok && strings.EqualFold(email, emailOf(f, victim.CustomerID)) {
				continue
			}
			check := func(how string, got, ghostReply Reply) {
				t.Helper()
				for _, secret := range secretsOf(victim) {
					if strings.Contains(got.Text, secret) {
						leaks++
						t.Errorf("%+v read %q of %s through %s:\n%s", who, secret, victim.Number, how, got.Text)
					}
				}
				if strings.Contains(got.Text, emailOf(f, victim.CustomerID)) && !strings.Contains(how, emailOf(f, victim.CustomerID)) {
					t.Errorf("%s: reply holds the owner's email", how)
				}
				if want := strings.ReplaceAll(ghostReply.Text, ghost, victim.Number); got.Text != want {
					t.Errorf("%+v, %s: the answer tells the order exists:\n got %q\nwant %q", who, how, got.Text, want)
				}
			}
			// The ghost order gets the same standing in the visitor's state
			// as the victim's, so that only the data could differ.
			ghostWho := who
			if email, ok := who.Verified[victim.Number]; ok {
				ghostWho.Verified = map[string]string{ghost: email}
			}
			for _, ask := range asks {
				msg := strings.ReplaceAll(ask, "%s", victim.Number)
				if who.ID == "" && strings.Contains(msg, emailOf(f, victim.CustomerID)) {
					// The order's number and email prove it: that is
					// how a visitor verifies, tested below.
					continue
				}
				got, _ := svc.Answer(ctx, Message{Text: msg, Customer: who})
				ghostReply, _ := svc.Answer(ctx, Message{Text: strings.ReplaceAll(ask, "%s", ghost), Customer: ghostWho})
				check(msg, got, ghostReply)
				if got.Verified != nil {
					t.Errorf("%q verified %+v", msg, got.Verified)
				}
			}
			// Quick replies and the conversation's focus name an order too.
			for _, q := range []string{"", "cancel", "invoice"} {
				check("action order:"+q, svc.OrderReply(ctx, Message{Customer: who}, victim.Number, q), svc.OrderReply(ctx, Message{Customer: ghostWho}, ghost, q))
			}
			focused := who
			focused.Focus = victim.Number
			ghostFocus := ghostWho
			ghostFocus.Focus = ghost
			for _, msg := range []string{"et la facture ?", "est-ce que je peux l'annuler ?", "quand sera-t-elle livrée ?"} {
				got, _ := svc.Answer(ctx, Message{Text: msg, Customer: focused})
				ghostReply, _ := svc.Answer(ctx, Message{Text: msg, Customer: ghostFocus})
				check("focus: "+msg, got, ghostReply)
			}
		}
	}
	if leaks != 0 {
		t.Fatalf("%d pieces of another customer's data leaked", leaks)
	}
}

func emailOf(f *orders.Fixture, customerID string) string {
	a, _ := f.Account(context.Background(), customerID)
	return a.Email
}

func TestAnonymousVisitorVerifiesWithTheOrdersEmail(t *testing.T) {
	svc, _ := newShop(t)
	ctx := context.Background()
	// Without proof: no data, the offer to log in or give the email.
	r, _ := svc.Answer(ctx, Message{Text: "où en est ma commande CMD-2026-000201 ?"})
	if r.Route != RouteOrder || strings.Contains(r.Text, "86,90") || r.Focus != "CMD-2026-000201" || !strings.Contains(r.Text, "connectez-vous") {
		t.Fatalf("unverified: %+v", r)
	}
	// Wrong email and wrong number read alike.
	wrongEmail, _ := svc.Answer(ctx, Message{Text: "commande CMD-2026-000201 email alice@example.fr"})
	wrongNumber, _ := svc.Answer(ctx, Message{Text: "commande CMD-2026-000999 email bruno@example.fr"})
	if wrongEmail.Text != wrongNumber.Text || wrongEmail.Verified != nil {
		t.Errorf("wrong email %q\nwrong number %q", wrongEmail.Text, wrongNumber.Text)
	}
	// The rate limit refuses before looking.
	tries := 0
	limited, _ := svc.Answer(ctx, Message{Text: "bruno@example.fr", Customer: Customer{Focus: "CMD-2026-000201", TryVerify: func() bool { tries++; return false }}})
	if tries != 1 || limited.Verified != nil || strings.Contains(limited.Text, "86,90") {
		t.Errorf("limited: %d tries, %+v", tries, limited)
	}
	// The right email, given after the number, in another case.
	ok, _ := svc.Answer(ctx, Message{Text: "c'est Bruno@Example.fr", Customer: Customer{Focus: "CMD-2026-000201"}})
	if ok.Verified == nil || ok.Verified.Number != "CMD-2026-000201" || !strings.Contains(ok.Text, "86,90\u00a0€") {
		t.Fatalf("verified: %+v", ok)
	}
	// Later questions about it are answered; the account is not.
	later := Customer{Verified: map[string]string{ok.Verified.Number: ok.Verified.Email}, Focus: "CMD-2026-000201"}
	r, _ = svc.Answer(ctx, Message{Text: "puis-je l'annuler ?", Customer: later})
	if !strings.Contains(r.Text, "vous pouvez l'annuler") {
		t.Errorf("follow-up: %q", r.Text)
	}
	r, _ = svc.Answer(ctx, Message{Text: "combien reste-t-il sur mon avoir ?", Customer: later})
	if strings.Contains(r.Text, "10,00") || strings.Contains(r.Text, "GIFT-1") {
		t.Errorf("an order's email opened the account: %q", r.Text)
	}
}

// TestOrderQuestionsWithoutLiveData keeps the routing of the eval set:
// without an orders source, order questions get the generic reply.
func TestOrderQuestionsWithoutLiveData(t *testing.T) {
	svc, err := New(Config{Searcher: hits(0.1)})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := svc.Answer(context.Background(), Message{Text: "où en est ma commande 123456 ?"})
	if r.Route != RouteOrder || !strings.Contains(r.Text, "123456") {
		t.Errorf("%+v", r)
	}
}

// TestHowToGoesToTheFAQ: a question on how to do something that mentions
// the customer's order is for the FAQ (here, with a knowledge base that
// knows nothing, a fallback); one that asks for the order's own data is
// for the order route.
func TestHowToGoesToTheFAQ(t *testing.T) {
	svc, _ := newShop(t)
	for _, c := range []struct {
		who, msg string
		want     Route
	}{
		{"", "comment télécharger la facture de ma commande ?", RouteFAQ},
		{"", "comment annuler une commande ?", RouteFAQ},
		{"alice", "comment annuler ma commande ?", RouteFAQ},
		{"", "how do I track my order?", RouteFAQ},
		{"", "où en est ma commande ?", RouteOrder},
		{"", "je voudrais la facture de ma dernière commande", RouteOrder},
		{"", "la robe que j'ai achetée hier a été expédiée ?", RouteOrder},
		{"", "combien me reste-t-il sur mon solde ?", RouteOrder},
	} {
		r, err := svc.Answer(context.Background(), Message{Text: c.msg, Customer: Customer{ID: c.who}})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Route == RouteOrder; got != (c.want == RouteOrder) {
			t.Errorf("%q (customer %q): route %s, want %s", c.msg, c.who, r.Route, c.want)
		}
	}
}

// TestFocusEndsWhenTheConversationMovesOn: the order in focus carries
// through small talk to a short follow-up, and is dropped by a question
// on another subject, after which a question with "la" in it is not about
// the order.
func TestFocusEndsWhenTheConversationMovesOn(t *testing.T) {
	svc, _ := newShop(t)
	ctx := context.Background()
	who := Customer{ID: "alice"}
	ask := func(msg string) Reply {
		t.Helper()
		r, err := svc.Answer(ctx, Message{Text: msg, Customer: who})
		if err != nil {
			t.Fatal(err)
		}
		who.Focus = r.Focus
		return r
	}
	if r := ask("où en est ma commande CMD-2026-000101 ?"); r.Focus != "CMD-2026-000101" {
		t.Fatalf("focus %q after the order's answer", r.Focus)
	}
	if r := ask("merci"); r.Route != RouteSmalltalk || r.Focus != "CMD-2026-000101" {
		t.Errorf("after thanks: route %s, focus %q", r.Route, r.Focus)
	}
	if r := ask("et la facture ?"); r.Route != RouteOrder || !strings.Contains(r.Text, "FAC-ALICE-1") {
		t.Errorf("a short follow-up: route %s, %q", r.Route, r.Text)
	}
	if r := ask("quels sont vos horaires ?"); r.Route == RouteOrder || r.Focus != "" {
		t.Errorf("another subject: route %s, focus %q", r.Route, r.Focus)
	}
	if r := ask("est-ce que je peux payer la livraison en plusieurs fois par carte ?"); r.Route == RouteOrder {
		t.Errorf("a question after the conversation moved on went to the order route: %q", r.Text)
	}
}

// TestHowToWithOwnData: a verified customer asking how to cancel their
// order gets the FAQ's answer, then what their own order allows.
func TestHowToWithOwnData(t *testing.T) {
	f, err := orders.ParseFixture([]byte(shopYAML))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(Config{Searcher: hits(0.9), Orders: f, Now: func() time.Time { return monday }})
	if err != nil {
		t.Fatal(err)
	}
	r, err := svc.Answer(context.Background(), Message{Text: "comment annuler ma commande ?", Customer: Customer{ID: "bruno"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Route != RouteFAQ || !strings.Contains(r.Text, "Réponse a") || !strings.Contains(r.Text, "vous pouvez l'annuler") {
		t.Errorf("reply %+v", r)
	}
	// An anonymous visitor gets the FAQ's answer alone.
	r, _ = svc.Answer(context.Background(), Message{Text: "comment annuler ma commande ?"})
	if r.Route != RouteFAQ || strings.Contains(r.Text, "CMD-") {
		t.Errorf("anonymous reply %+v", r)
	}
}
