package assistant

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/supportd/supportd/hours"
	"github.com/supportd/supportd/orders"
)

// Orders gives the live data of customers' orders and accounts.
// orders.Source implements it. Every method must answer ErrNotFound alike
// for an order that does not exist and for another customer's.
type Orders interface {
	Account(ctx context.Context, customerID string) (orders.Account, error)
	Orders(ctx context.Context, customerID string, limit int) ([]orders.Order, error)
	Order(ctx context.Context, customerID, number string) (orders.Order, error)
	OrderByEmail(ctx context.Context, number, email string) (orders.Order, error)
}

// recentOrders is how many orders a customer is offered to choose from.
const recentOrders = 5

// aspect is what a message asks about an order or the account.
type aspect int

const (
	aspectSummary aspect = iota
	aspectCancel
	aspectInvoice
	aspectTracking
	aspectDispatch
	aspectPayment
	aspectCredit
)

// aspectWords maps words (accents removed, lower case) and word beginnings
// to what they ask about. A word matches an entry that ends with "*" when
// it starts with what comes before the star.
var aspectWords = []struct {
	aspect aspect
	words  []string
}{
	{aspectCancel, []string{"annul*", "cancel*"}},
	{aspectInvoice, []string{"factur*", "invoice*", "receipt*", "recu"}},
	{aspectTracking, []string{"suivi", "suivre", "track*", "transporteur", "carrier"}},
	{aspectPayment, []string{"virement*", "cheque", "cheques", "paiement*", "payer", "paye", "payee", "regl*", "transfer*", "payment*", "paid", "pay", "check"}},
	{aspectCredit, []string{"avoir", "avoirs", "credit*", "solde", "cagnotte", "bons", "cadeau*", "subvention*", "voucher*", "gift", "subsid*", "balance"}},
	{aspectDispatch, []string{"quand", "expedi*", "envoi", "envoye*", "partir", "partira", "livr*", "recevoir", "recevrai", "arrive*", "delai*", "when", "ship*", "dispatch*", "deliver*", "arriv*", "receive"}},
}

// askedAspect returns the first aspect the words ask about, in the order
// of aspectWords, or aspectSummary.
func askedAspect(words []string) aspect {
	for _, a := range aspectWords {
		for _, w := range words {
			for _, p := range a.words {
				if prefix, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(w, prefix) || w == p {
					// "cheque cadeau" is a voucher, not a payment.
					if a.aspect == aspectPayment && (contains(words, "cheque cadeau") || contains(words, "cheques cadeaux")) {
						return aspectCredit
					}
					return a.aspect
				}
			}
		}
	}
	return aspectSummary
}

// emailRe finds an email address in a message.
var emailRe = regexp.MustCompile(`(?i)[a-z0-9._%+'-]+@[a-z0-9.-]+\.[a-z]{2,}`)

// Customer is what the chat knows of who is writing.
type Customer struct {
	// ID is the customer id from the shop's verified token, or "".
	ID string
	// Verified maps the order numbers this visitor proved to own in the
	// chat to the email address that proved it.
	Verified map[string]string
	// Focus is the order the conversation is about, if any: the last
	// one answered or picked.
	Focus string
	// TryVerify is called before each attempt to verify an order by its
	// email address; when it returns false the attempt is refused (rate
	// limit). nil allows every attempt.
	TryVerify func() bool
}

// lookup returns the order with that number if this customer may see it:
// one of their own, or one they verified with its email address.
func (s *Service) lookup(ctx context.Context, c Customer, number string) (orders.Order, error) {
	err := orders.ErrNotFound
	if c.ID != "" {
		var o orders.Order
		if o, err = s.cfg.Orders.Order(ctx, c.ID, number); err == nil {
			return o, nil
		}
	}
	if email, ok := c.Verified[number]; ok && errors.Is(err, orders.ErrNotFound) {
		return s.cfg.Orders.OrderByEmail(ctx, number, email)
	}
	return orders.Order{}, err
}

// orderAnswer answers a message routed to RouteOrder from the live data.
func (s *Service) orderAnswer(ctx context.Context, m Message, words, refs []string, reply Reply) Reply {
	t := texts[reply.Lang]
	c := m.Customer
	asked := askedAspect(words)
	email := emailRe.FindString(m.Text)
	if len(refs) == 0 && c.Focus != "" && asked != aspectCredit && (email != "" || asked != aspectSummary) {
		refs = []string{c.Focus}
	}
	if len(refs) == 0 {
		switch {
		case c.ID == "":
			reply.Text = t.orderAccount
			return reply
		case asked == aspectCredit:
			return s.accountReply(ctx, c.ID, reply)
		}
		return s.chooseOrder(ctx, c.ID, asked, reply)
	}
	number := refs[0]
	if _, ok := c.Verified[number]; ok || c.ID != "" {
		o, err := s.lookup(ctx, c, number)
		return s.orderReply(o, err, number, asked, reply)
	}
	if email == "" {
		reply.Focus = number
		reply.Text = fmt.Sprintf(t.orderNumber, number)
		return reply
	}
	if c.TryVerify != nil && !c.TryVerify() {
		reply.Text = t.verifyLimited
		reply.Actions = []Action{{ID: "handoff", Label: t.talkToPerson}}
		return reply
	}
	o, err := s.cfg.Orders.OrderByEmail(ctx, number, email)
	if errors.Is(err, orders.ErrNotFound) {
		reply.Text = t.verifyFailed
		reply.Actions = []Action{{ID: "handoff", Label: t.talkToPerson}}
		return reply
	}
	if err == nil {
		reply.Verified = &VerifiedOrder{Number: o.Number, Email: email}
	}
	return s.orderReply(o, err, number, asked, reply)
}

// VerifiedOrder is an order a visitor proved to own by giving its email
// address.
type VerifiedOrder struct {
	Number string
	Email  string
}

// OrderReply answers about one of the customer's orders, as when they pick
// it in the list of their orders.
// question is "" for a summary, "cancel" or "invoice".
func (s *Service) OrderReply(ctx context.Context, m Message, number, question string) Reply {
	asked := aspectSummary
	switch question {
	case "cancel":
		asked = aspectCancel
	case "invoice":
		asked = aspectInvoice
	}
	reply := Reply{Route: RouteOrder, Lang: replyLang(m.Lang)}
	reply.Actions = []Action{{ID: "handoff", Label: texts[reply.Lang].talkToPerson}}
	if s.cfg.Orders == nil {
		reply.Text = texts[reply.Lang].orderAccount
		return reply
	}
	number = strings.ToUpper(strings.TrimSpace(number))
	if _, ok := m.Customer.Verified[number]; !ok && m.Customer.ID == "" {
		reply.Text = fmt.Sprintf(texts[reply.Lang].orderNumber, number)
		reply.Focus = number
		return reply
	}
	o, err := s.lookup(ctx, m.Customer, number)
	return s.orderReply(o, err, number, asked, reply)
}

// OrdersMenu offers a verified customer their recent orders to choose
// from, as when they press "Get help with an order".
func (s *Service) OrdersMenu(ctx context.Context, m Message) Reply {
	reply := Reply{Route: RouteOrder, Lang: replyLang(m.Lang)}
	reply.Actions = []Action{{ID: "handoff", Label: texts[reply.Lang].talkToPerson}}
	if s.cfg.Orders == nil || m.Customer.ID == "" {
		reply.Text = texts[reply.Lang].orderAccount
		return reply
	}
	return s.chooseOrder(ctx, m.Customer.ID, aspectSummary, reply)
}

// replyLang is lang when replies are written in it, else French.
func replyLang(lang string) string {
	if _, ok := texts[lang]; ok {
		return lang
	}
	return "fr"
}

// chooseOrder answers about the customer's only order, or lists their
// recent orders to pick one.
func (s *Service) chooseOrder(ctx context.Context, customerID string, asked aspect, reply Reply) Reply {
	t := texts[reply.Lang]
	list, err := s.cfg.Orders.Orders(ctx, customerID, recentOrders)
	if err != nil {
		return s.ordersUnavailable(err, reply)
	}
	switch len(list) {
	case 0:
		reply.Text = t.noOrders
		reply.Actions = []Action{{ID: "handoff", Label: t.talkToPerson}}
		return reply
	case 1:
		return s.orderReply(list[0], nil, list[0].Number, asked, reply)
	}
	reply.Text = t.whichOrder
	reply.Actions = nil
	for _, o := range list {
		label := fmt.Sprintf("%s · %s · %s", o.Number, shortDate(reply.Lang, s.loc(), o.PlacedAt), t.status[o.Status])
		reply.Actions = append(reply.Actions, Action{ID: "order:" + o.Number, Label: label})
	}
	reply.Actions = append(reply.Actions, Action{ID: "handoff", Label: t.talkToPerson})
	return reply
}

func (s *Service) ordersUnavailable(err error, reply Reply) Reply {
	t := texts[reply.Lang]
	s.cfg.Logger.Error("assistant: orders", "err", err)
	reply.Text = t.ordersUnavailable
	reply.Actions = []Action{{ID: "handoff", Label: t.talkToPerson}}
	return reply
}

// orderReply writes the answer about one order: what was asked, or a
// summary of where it stands.
func (s *Service) orderReply(o orders.Order, err error, number string, asked aspect, reply Reply) Reply {
	t := texts[reply.Lang]
	if errors.Is(err, orders.ErrNotFound) {
		reply.Text = fmt.Sprintf(t.orderNotFound, number)
		reply.Actions = []Action{{ID: "handoff", Label: t.talkToPerson}}
		return reply
	}
	if err != nil {
		return s.ordersUnavailable(err, reply)
	}
	reply.Focus = o.Number
	reply.OrderRefs = []string{o.Number}
	lang := reply.Lang
	var b strings.Builder
	fmt.Fprintf(&b, t.orderHeading, o.Number, longDate(lang, s.loc(), o.PlacedAt), o.Total.Format(lang))
	b.WriteString("\n\n")
	switch asked {
	case aspectCancel:
		b.WriteString(s.cancelText(o, t))
	case aspectInvoice:
		b.WriteString(invoiceText(o, t))
	case aspectPayment:
		b.WriteString(s.paymentText(o, t, lang))
	case aspectTracking, aspectDispatch:
		b.WriteString(s.statusText(o, t, lang))
	default:
		b.WriteString(s.statusText(o, t, lang))
		if o.Invoice != nil {
			b.WriteString("\n\n" + invoiceText(o, t))
		}
	}
	reply.Text = b.String()
	reply.Actions = orderActions(o, t)
	return reply
}

// orderActions are the follow-up questions offered under an order answer.
func orderActions(o orders.Order, t replyTexts) []Action {
	var acts []Action
	if o.Status == orders.StatusPending {
		acts = append(acts, Action{ID: "order:" + o.Number + ":cancel", Label: t.actionCancel})
	}
	if o.Invoice != nil {
		acts = append(acts, Action{ID: "order:" + o.Number + ":invoice", Label: t.actionInvoice})
	}
	return append(acts, Action{ID: "handoff", Label: t.talkToPerson})
}

// statusText says where the order stands and what comes next.
func (s *Service) statusText(o orders.Order, t replyTexts, lang string) string {
	switch o.Status {
	case orders.StatusPending:
		return s.paymentText(o, t, lang)
	case orders.StatusProcessing:
		return fmt.Sprintf(t.processing, s.dayText(lang, t, s.dispatchDate(o)))
	case orders.StatusShipped:
		text := fmt.Sprintf(t.shipped, longDate(lang, s.loc(), o.ShippedAt), o.Carrier)
		if o.TrackingNumber != "" {
			text += " " + fmt.Sprintf(t.tracking, trackingLink(o))
		}
		return text
	case orders.StatusDelivered:
		return fmt.Sprintf(t.delivered, longDate(lang, s.loc(), o.DeliveredAt))
	case orders.StatusCancelled:
		text := fmt.Sprintf(t.cancelled, longDate(lang, s.loc(), o.CancelledAt))
		if o.Payment.State == orders.PaymentRefunded {
			text += " " + fmt.Sprintf(t.refunded, o.Total.Format(lang))
		}
		return text
	}
	return fmt.Sprintf(t.statusOther, o.Status)
}

// trackingLink is the tracking number, linked to the carrier's page when
// there is one.
func trackingLink(o orders.Order) string {
	if o.TrackingURL == "" {
		return o.TrackingNumber
	}
	return "[" + o.TrackingNumber + "](" + o.TrackingURL + ")"
}

// paymentText explains the state of the order's payment.
func (s *Service) paymentText(o orders.Order, t replyTexts, lang string) string {
	p := o.Payment
	switch {
	case p.State == orders.PaymentPending && p.Method == orders.MethodBankTransfer:
		return fmt.Sprintf(t.awaitingTransfer, o.Total.Format(lang), o.Number) + " " + t.afterPayment
	case p.State == orders.PaymentPending && p.Method == orders.MethodCheque:
		return fmt.Sprintf(t.awaitingCheque, o.Total.Format(lang), o.Number) + " " + t.afterPayment
	case p.State == orders.PaymentPending:
		return t.awaitingPayment
	case p.State == orders.PaymentFailed:
		return t.paymentFailed
	case p.State == orders.PaymentRefunded:
		return fmt.Sprintf(t.refunded, o.Total.Format(lang))
	}
	text := fmt.Sprintf(t.paid, t.method[p.Method])
	if o.Status == orders.StatusProcessing {
		text += " " + fmt.Sprintf(t.processing, s.dayText(lang, t, s.dispatchDate(o)))
	}
	return text
}

// cancelText says whether the order can still be cancelled, and how.
func (s *Service) cancelText(o orders.Order, t replyTexts) string {
	switch o.Status {
	case orders.StatusPending:
		return t.canCancel
	case orders.StatusCancelled:
		return t.alreadyCancelled
	case orders.StatusDelivered:
		return t.cannotCancelDelivered
	}
	return t.cannotCancel
}

func invoiceText(o orders.Order, t replyTexts) string {
	if o.Invoice == nil {
		return t.noInvoice
	}
	return fmt.Sprintf(t.invoice, o.Invoice.Number, o.Invoice.URL)
}

// dispatchDate is the day a paid order should leave the warehouse: from the
// payment (or the order) and the cut-off over business days, and not before
// today when that day has passed.
func (s *Service) dispatchDate(o orders.Order) hours.Date {
	from := o.PlacedAt
	if !o.Payment.PaidAt.IsZero() {
		from = o.Payment.PaidAt
	}
	now := s.cfg.Now()
	d := s.cfg.Calendar.DispatchDate(from, s.cfg.Cutoff)
	if today := hours.DateOf(now.In(s.loc())); d.Before(today) {
		d = s.cfg.Calendar.DispatchDate(now, s.cfg.Cutoff)
	}
	return d
}

// dayText writes a coming day: "aujourd'hui", "demain" or "mardi 24
// novembre".
func (s *Service) dayText(lang string, t replyTexts, d hours.Date) string {
	today := hours.DateOf(s.cfg.Now().In(s.loc()))
	switch d {
	case today:
		return t.today
	case today.AddDays(1):
		return t.tomorrow
	}
	return longDay(lang, d)
}

// accountReply tells the customer their credit and vouchers.
func (s *Service) accountReply(ctx context.Context, customerID string, reply Reply) Reply {
	t := texts[reply.Lang]
	lang := reply.Lang
	a, err := s.cfg.Orders.Account(ctx, customerID)
	if errors.Is(err, orders.ErrNotFound) {
		reply.Text = t.noAccount
		reply.Actions = []Action{{ID: "handoff", Label: t.talkToPerson}}
		return reply
	}
	if err != nil {
		return s.ordersUnavailable(err, reply)
	}
	var b strings.Builder
	switch {
	case a.Credit > 0 && !a.CreditExpires.IsZero():
		fmt.Fprintf(&b, t.creditUntil, a.Credit.Format(lang), longDate(lang, s.loc(), a.CreditExpires))
	case a.Credit > 0:
		fmt.Fprintf(&b, t.credit, a.Credit.Format(lang))
	default:
		b.WriteString(t.noCredit)
	}
	now := s.cfg.Now()
	for _, v := range a.Vouchers {
		if v.Remaining <= 0 || !v.Expires.IsZero() && v.Expires.Before(now) {
			continue
		}
		name := v.Code
		if v.Kind == orders.VoucherSubsidy && v.Label != "" {
			name = v.Label
		}
		b.WriteString("\n- ")
		fmt.Fprintf(&b, t.voucher, t.voucherKind[v.Kind], name, v.Remaining.Format(lang), v.Amount.Format(lang))
		if !v.Expires.IsZero() {
			fmt.Fprintf(&b, t.voucherUntil, longDate(lang, s.loc(), v.Expires))
		}
	}
	reply.Text = b.String()
	reply.Actions = []Action{{ID: "handoff", Label: t.talkToPerson}}
	return reply
}

var (
	frenchMonths   = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	frenchWeekdays = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
)

// longDate writes the date of t in Paris time: "18 novembre 2026",
// "18 November 2026".
func longDate(lang string, loc *time.Location, t time.Time) string {
	d := hours.DateOf(t.In(loc))
	if lang == "en" {
		return fmt.Sprintf("%d %s %d", d.Day, d.Month, d.Year)
	}
	day := fmt.Sprint(d.Day)
	if d.Day == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, frenchMonths[d.Month-1], d.Year)
}

// longDay writes a day with its weekday: "mardi 24 novembre",
// "Tuesday 24 November".
func longDay(lang string, d hours.Date) string {
	if lang == "en" {
		return fmt.Sprintf("%s %d %s", d.Weekday(), d.Day, d.Month)
	}
	day := fmt.Sprint(d.Day)
	if d.Day == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %s", frenchWeekdays[d.Weekday()], day, frenchMonths[d.Month-1])
}

// shortDate writes the date of t for a button: "18/11/2026", "18 Nov 2026".
func shortDate(lang string, loc *time.Location, t time.Time) string {
	t = t.In(loc)
	if lang == "en" {
		return t.Format("2 Jan 2006")
	}
	return t.Format("02/01/2006")
}

// loc is the time zone in which dates are written to customers: the
// calendar's.
func (s *Service) loc() *time.Location {
	if s.cfg.Calendar.Location == nil {
		return hours.France().Location
	}
	return s.cfg.Calendar.Location
}
