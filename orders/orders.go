// Package orders holds what the assistant may tell a customer about their
// own account and orders: status, payment, tracking, invoice, credit
// balance ("avoir"), gift vouchers and subsidies.
//
// A [Source] answers for one customer at a time and never returns another
// customer's data. Two implement it: [Fixture], in memory, loaded from a
// YAML file (the demo shop's data, and tests), and [Postgres], tables in a
// PostgreSQL database, which [Postgres.Seed] can fill from a fixture.
//
// Amounts are euro cents ([Money]); every time is UTC, to the microsecond,
// and the zero time means "not happened" or "none".
package orders

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Errors of a [Source]. Other errors wrap one of them.
var (
	// ErrNotFound means there is no such account or order for this
	// customer, or for this email: whether the order exists for someone
	// else is not told.
	ErrNotFound = errors.New("orders: not found")
	// ErrUnavailable means the data could not be read (the database is
	// down or unreachable); errors wrapping it carry the cause.
	ErrUnavailable = errors.New("orders: unavailable")
)

// Source gives a customer's account and orders. Its methods are safe for
// concurrent use. An empty customer id, order number or email matches
// nothing. Errors wrap [ErrNotFound] or [ErrUnavailable].
type Source interface {
	// Account returns the customer's account, or ErrNotFound.
	Account(ctx context.Context, customerID string) (Account, error)
	// Orders returns up to limit of the customer's orders, the most
	// recent first (by PlacedAt, then by number, descending). An unknown
	// customer or a limit below 1 gives none and no error.
	Orders(ctx context.Context, customerID string, limit int) ([]Order, error)
	// Order returns the customer's order with that number, in any case
	// ("cmd-2026-004512" finds "CMD-2026-004512"), or ErrNotFound when
	// there is no such order or it belongs to another customer: the same
	// error value and the same lookup in both cases.
	Order(ctx context.Context, customerID, number string) (Order, error)
	// OrderByEmail returns the order with that number if its customer's
	// email is email (compared trimmed and case-insensitively), or
	// ErrNotFound whichever of the two is wrong. It verifies an anonymous
	// visitor in the chat.
	OrderByEmail(ctx context.Context, number, email string) (Order, error)
}

var (
	_ Source = (*Fixture)(nil)
	_ Source = (*Postgres)(nil)
)

// Account is a customer's account: who they are and what they may spend
// besides a payment (credit and vouchers).
type Account struct {
	// CustomerID is the shop's identifier of the customer, such as
	// "cust-1001"; it is never empty.
	CustomerID string
	// Name is the customer's full name.
	Name string
	// Email is the customer's email address, as the shop stores it.
	Email string
	// Credit is the customer's credit balance ("avoir"), such as a
	// refund kept as credit; zero when none.
	Credit Money
	// CreditExpires is when the credit expires; zero when it does not
	// or there is no credit.
	CreditExpires time.Time
	// Vouchers are the customer's gift vouchers and subsidies, in the
	// order of their codes.
	Vouchers []Voucher
}

// VoucherKind says where a voucher's value comes from.
type VoucherKind string

// Kinds of voucher.
const (
	// VoucherGift is a gift voucher ("bon d'achat", "chèque cadeau").
	VoucherGift VoucherKind = "gift"
	// VoucherSubsidy is an amount an organisation grants the customer
	// ("subvention"), such as a works council (CSE).
	VoucherSubsidy VoucherKind = "subsidy"
)

// Valid reports whether k is one of the kinds of voucher.
func (k VoucherKind) Valid() bool {
	return k == VoucherGift || k == VoucherSubsidy
}

// Voucher is a gift voucher or a subsidy the customer may spend.
type Voucher struct {
	// Code is the voucher's code, unique across customers.
	Code string
	// Kind is gift or subsidy.
	Kind VoucherKind
	// Label describes the voucher, such as the organisation granting a
	// subsidy ("CSE Transports Garnier").
	Label string
	// Amount is the voucher's value when granted.
	Amount Money
	// Remaining is what is left to spend, at most Amount.
	Remaining Money
	// Expires is when the voucher can no longer be spent; zero when never.
	Expires time.Time
}

// Status is where an order stands.
type Status string

// Statuses of an order, in the order an order goes through them; an order
// is cancelled only before it ships.
const (
	// StatusPending: placed, waiting for its payment (such as a bank
	// transfer or a cheque) before it is prepared.
	StatusPending Status = "pending"
	// StatusProcessing: paid, being prepared in the warehouse.
	StatusProcessing Status = "processing"
	// StatusShipped: handed to the carrier.
	StatusShipped Status = "shipped"
	// StatusDelivered: the carrier delivered it.
	StatusDelivered Status = "delivered"
	// StatusCancelled: cancelled before it shipped.
	StatusCancelled Status = "cancelled"
)

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusProcessing, StatusShipped, StatusDelivered, StatusCancelled:
		return true
	}
	return false
}

// PaymentMethod is how an order is paid.
type PaymentMethod string

// Payment methods.
const (
	// MethodCard: a bank card.
	MethodCard PaymentMethod = "card"
	// MethodPayPal: a PayPal account.
	MethodPayPal PaymentMethod = "paypal"
	// MethodBankTransfer: a bank transfer ("virement"); the order waits
	// for it.
	MethodBankTransfer PaymentMethod = "bank_transfer"
	// MethodCheque: a cheque sent by post; the order waits for it.
	MethodCheque PaymentMethod = "cheque"
	// MethodCredit: paid with the customer's credit balance.
	MethodCredit PaymentMethod = "credit"
	// MethodVoucher: paid with a gift voucher or a subsidy.
	MethodVoucher PaymentMethod = "voucher"
)

// Valid reports whether m is one of the payment methods.
func (m PaymentMethod) Valid() bool {
	switch m {
	case MethodCard, MethodPayPal, MethodBankTransfer, MethodCheque, MethodCredit, MethodVoucher:
		return true
	}
	return false
}

// PaymentState is where an order's payment stands.
type PaymentState string

// Payment states.
const (
	// PaymentPending: not received yet (a bank transfer or a cheque on
	// its way).
	PaymentPending PaymentState = "pending"
	// PaymentPaid: received.
	PaymentPaid PaymentState = "paid"
	// PaymentRefunded: received, then paid back.
	PaymentRefunded PaymentState = "refunded"
	// PaymentFailed: refused (a declined card).
	PaymentFailed PaymentState = "failed"
)

// Valid reports whether s is one of the payment states.
func (s PaymentState) Valid() bool {
	switch s {
	case PaymentPending, PaymentPaid, PaymentRefunded, PaymentFailed:
		return true
	}
	return false
}

// Payment is how an order is paid and where the payment stands.
type Payment struct {
	// Method is how the customer pays.
	Method PaymentMethod
	// State is where the payment stands.
	State PaymentState
	// PaidAt is when the payment was received; zero while pending or
	// failed.
	PaidAt time.Time
}

// Item is a line of an order.
type Item struct {
	// SKU is the product's reference, such as "ENC-HP305-NR".
	SKU string
	// Name is the product's name as the customer saw it.
	Name string
	// Quantity is at least 1.
	Quantity int
	// UnitPrice is the price of one, taxes included.
	UnitPrice Money
}

// Total is the line's amount: Quantity × UnitPrice.
func (it Item) Total() Money {
	return Money(int64(it.Quantity)) * it.UnitPrice
}

// Address is a postal address.
type Address struct {
	// Name is the recipient's name.
	Name string
	// Line1 and Line2 are the street address; Line2 may be empty.
	Line1, Line2 string
	// PostalCode is the postal code, such as "69003".
	PostalCode string
	// City is the city's name.
	City string
	// Country is an ISO 3166-1 alpha-2 code, such as "FR".
	Country string
}

// Invoice is an order's invoice.
type Invoice struct {
	// Number is the invoice's number, such as "FAC-2026-001873".
	Number string
	// IssuedAt is when it was issued.
	IssuedAt time.Time
	// URL is where the customer downloads it (behind their login).
	URL string
}

// Order is a customer's order.
type Order struct {
	// Number is the order's number, in the form of [NormalizeNumber]:
	// "CMD-", the year, "-", six digits, such as "CMD-2026-004512".
	Number string
	// CustomerID is the [Account.CustomerID] of the customer who placed it.
	CustomerID string
	// PlacedAt is when the customer placed it.
	PlacedAt time.Time
	// Status is where the order stands.
	Status Status
	// Payment is how it is paid and where the payment stands.
	Payment Payment
	// Items are the order's lines, in the order the customer saw them.
	Items []Item
	// Subtotal is the sum of the items' totals; Total is Subtotal plus
	// ShippingCost. All three include taxes.
	Subtotal, ShippingCost, Total Money
	// ShippingAddress is where the order is delivered.
	ShippingAddress Address
	// Carrier is the carrier's name, such as "Colissimo", "Chronopost",
	// "Mondial Relay" or "DPD"; empty until shipped.
	Carrier string
	// TrackingNumber is the carrier's parcel number; empty until shipped.
	TrackingNumber string
	// TrackingURL is the page following the parcel: the one stored with
	// the order if any, else the one [TrackingURL] computes for a known
	// carrier, else empty.
	TrackingURL string
	// ShippedAt, DeliveredAt and CancelledAt are zero until then.
	ShippedAt, DeliveredAt, CancelledAt time.Time
	// Invoice is nil until the order is invoiced.
	Invoice *Invoice
}

// clone returns a copy of o sharing no memory with it.
func (o Order) clone() Order {
	o.Items = append([]Item(nil), o.Items...)
	if o.Invoice != nil {
		inv := *o.Invoice
		o.Invoice = &inv
	}
	return o
}

// clone returns a copy of a sharing no memory with it.
func (a Account) clone() Account {
	a.Vouchers = append([]Voucher(nil), a.Vouchers...)
	return a
}

// NormalizeNumber returns the order number s in its canonical form,
// trimmed and in upper case, and reports whether it has the shop's form:
// "CMD-", a year of four digits, "-", six digits ("CMD-2026-004512").
func NormalizeNumber(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != len("CMD-2026-004512") || !strings.HasPrefix(s, "CMD-") || s[8] != '-' {
		return "", false
	}
	for i := 4; i < len(s); i++ {
		if i != 8 && (s[i] < '0' || s[i] > '9') {
			return "", false
		}
	}
	return s, true
}

// normalizeEmail returns the form in which emails are compared: trimmed
// and in lower case.
func normalizeEmail(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// TrackingURL returns the page following parcel number on the carrier's
// site, for Colissimo, Chronopost, Mondial Relay and DPD (the carrier's
// name in any case), or "" for another carrier or an empty number.
func TrackingURL(carrier, number string) string {
	if number == "" {
		return ""
	}
	var format string
	switch strings.ToLower(strings.TrimSpace(carrier)) {
	case "colissimo":
		format = "https://www.laposte.fr/outils/suivre-vos-envois?code=%s"
	case "chronopost":
		format = "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT=%s"
	case "mondial relay":
		format = "https://www.mondialrelay.fr/suivi-de-colis/?NumeroExpedition=%s"
	case "dpd":
		format = "https://trace.dpd.fr/fr/trace/%s"
	default:
		return ""
	}
	return fmt.Sprintf(format, url.QueryEscape(number))
}
