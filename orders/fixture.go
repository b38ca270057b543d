package orders

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// MaxFixtureSize is the largest fixture [LoadFixture] and [ParseFixture]
// read, in bytes.
const MaxFixtureSize = 16 << 20

// Limits of a fixture's values, which PostgreSQL's columns hold too.
const (
	maxQuantity = 1_000_000
	minYear     = 1970
	maxYear     = 9999
)

// Fixture is a [Source] in memory, read from YAML by [LoadFixture] or
// [ParseFixture]. It does not change once loaded, so it is safe for
// concurrent use; what it returns are copies.
type Fixture struct {
	customers []Account // in the file's order
	orders    []Order   // in the file's order
	accounts  map[string]int
	// byCustomer lists each customer's orders, the most recent first.
	byCustomer map[string][]int
	// byOwner and byEmail find an order only with the right customer or
	// email, in one lookup: another customer's order is missing from
	// them just as a nonexistent one is.
	byOwner map[ownerKey]int
	byEmail map[emailKey]int
}

type ownerKey struct{ customerID, number string }

type emailKey struct{ number, email string }

// LoadFixture reads a fixture from r; see [ParseFixture]. It refuses more
// than [MaxFixtureSize] bytes.
func LoadFixture(r io.Reader) (*Fixture, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFixtureSize+1))
	if err != nil {
		return nil, fmt.Errorf("orders: read fixture: %w", err)
	}
	return ParseFixture(data)
}

// ParseFixture reads a fixture in YAML: a list of customers and a list of
// orders, such as
//
//	customers:
//	  - id: cust-1001
//	    name: Camille Martin
//	    email: camille.martin@example.fr
//	    credit: 12.50                 # euros; the "avoir"
//	    credit_expires: 2027-03-31
//	    vouchers:
//	      - {code: CADEAU-7K2P, kind: gift, label: Chèque cadeau, amount: 50, remaining: 20.10, expires: 2027-06-30}
//	orders:
//	  - number: CMD-2026-004512
//	    customer: cust-1001
//	    placed_at: 2026-11-18T09:42:00+01:00
//	    status: shipped             # pending, processing, shipped, delivered or cancelled
//	    payment: {method: card, state: paid, paid_at: 2026-11-18T09:43:00+01:00}
//	    items:
//	      - {sku: ENC-HP305-NR, name: Cartouche HP 305 noire, quantity: 2, unit_price: 14.90}
//	    subtotal: 29.80
//	    shipping_cost: 4.90
//	    total: 34.70
//	    shipping_address: {name: Camille Martin, line1: 12 rue des Lilas, postal_code: "69003", city: Lyon, country: FR}
//	    carrier: Colissimo
//	    tracking_number: 6A23456789012
//	    shipped_at: 2026-11-19T14:05:00+01:00
//	    invoice: {number: FAC-2026-001873, issued_at: 2026-11-19T14:05:00+01:00, url: https://...}
//
// Amounts are euros with at most two decimals; times are RFC 3339 (an
// offset is required) or dates such as 2026-11-30, which mean midnight
// UTC; times keep microseconds, as PostgreSQL does. Order numbers are
// stored in upper case. tracking_url may be given; without it, the order
// gets the one [TrackingURL] computes.
//
// ParseFixture checks the whole file and reports every problem it finds,
// each with its line or with the customer's or order's index and id:
// unknown fields, statuses, methods or kinds; malformed order numbers;
// duplicate customers, orders, vouchers or invoices; orders of unknown
// customers; negative amounts; a subtotal that is not the sum of the
// items, or a total that is not subtotal plus shipping; missing or
// out-of-order dates (a shipped order needs shipped_at, a delivered one
// delivered_at, a cancelled one cancelled_at, a paid one paid_at).
func ParseFixture(data []byte) (*Fixture, error) {
	if len(data) > MaxFixtureSize {
		return nil, fmt.Errorf("orders: fixture larger than %d bytes", MaxFixtureSize)
	}
	var file fixtureFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("orders: fixture: %w", err)
	}
	f, problems := file.build()
	if len(problems) > 0 {
		return nil, fmt.Errorf("orders: fixture:\n  %s", strings.Join(problems, "\n  "))
	}
	return f, nil
}

// Customers returns the fixture's accounts, in the file's order.
func (f *Fixture) Customers() []Account {
	out := make([]Account, len(f.customers))
	for i, a := range f.customers {
		out[i] = a.clone()
	}
	return out
}

// AllOrders returns the fixture's orders, of every customer, in the file's
// order.
func (f *Fixture) AllOrders() []Order {
	out := make([]Order, len(f.orders))
	for i, o := range f.orders {
		out[i] = o.clone()
	}
	return out
}

// Account implements [Source].
func (f *Fixture) Account(ctx context.Context, customerID string) (Account, error) {
	i, ok := f.accounts[customerID]
	if !ok || customerID == "" {
		return Account{}, fmt.Errorf("account %q: %w", customerID, ErrNotFound)
	}
	return f.customers[i].clone(), nil
}

// Orders implements [Source].
func (f *Fixture) Orders(ctx context.Context, customerID string, limit int) ([]Order, error) {
	if customerID == "" || limit < 1 {
		return nil, nil
	}
	indexes := f.byCustomer[customerID]
	indexes = indexes[:min(limit, len(indexes))]
	out := make([]Order, len(indexes))
	for k, i := range indexes {
		out[k] = f.orders[i].clone()
	}
	return out, nil
}

// Order implements [Source].
func (f *Fixture) Order(ctx context.Context, customerID, number string) (Order, error) {
	n, _ := NormalizeNumber(number)
	i, ok := f.byOwner[ownerKey{customerID, n}]
	if !ok || customerID == "" || n == "" {
		return Order{}, fmt.Errorf("order %q: %w", number, ErrNotFound)
	}
	return f.orders[i].clone(), nil
}

// OrderByEmail implements [Source].
func (f *Fixture) OrderByEmail(ctx context.Context, number, email string) (Order, error) {
	n, _ := NormalizeNumber(number)
	e := normalizeEmail(email)
	i, ok := f.byEmail[emailKey{n, e}]
	if !ok || n == "" || e == "" {
		return Order{}, fmt.Errorf("order %q: %w", number, ErrNotFound)
	}
	return f.orders[i].clone(), nil
}

// The fixture's YAML. Amounts and times have their own types, which say on
// which line a value is malformed.
type (
	fixtureFile struct {
		Customers []fixtureCustomer `yaml:"customers"`
		Orders    []fixtureOrder    `yaml:"orders"`
	}
	fixtureCustomer struct {
		ID            string           `yaml:"id"`
		Name          string           `yaml:"name"`
		Email         string           `yaml:"email"`
		Credit        yamlMoney        `yaml:"credit"`
		CreditExpires yamlTime         `yaml:"credit_expires"`
		Vouchers      []fixtureVoucher `yaml:"vouchers"`
	}
	fixtureVoucher struct {
		Code      string    `yaml:"code"`
		Kind      string    `yaml:"kind"`
		Label     string    `yaml:"label"`
		Amount    yamlMoney `yaml:"amount"`
		Remaining yamlMoney `yaml:"remaining"`
		Expires   yamlTime  `yaml:"expires"`
	}
	fixtureOrder struct {
		Number          string          `yaml:"number"`
		Customer        string          `yaml:"customer"`
		PlacedAt        yamlTime        `yaml:"placed_at"`
		Status          string          `yaml:"status"`
		Payment         fixturePayment  `yaml:"payment"`
		Items           []fixtureItem   `yaml:"items"`
		Subtotal        yamlMoney       `yaml:"subtotal"`
		ShippingCost    yamlMoney       `yaml:"shipping_cost"`
		Total           yamlMoney       `yaml:"total"`
		ShippingAddress fixtureAddress  `yaml:"shipping_address"`
		Carrier         string          `yaml:"carrier"`
		TrackingNumber  string          `yaml:"tracking_number"`
		TrackingURL     string          `yaml:"tracking_url"`
		ShippedAt       yamlTime        `yaml:"shipped_at"`
		DeliveredAt     yamlTime        `yaml:"delivered_at"`
		CancelledAt     yamlTime        `yaml:"cancelled_at"`
		Invoice         *fixtureInvoice `yaml:"invoice"`
	}
	fixturePayment struct {
		Method string   `yaml:"method"`
		State  string   `yaml:"state"`
		PaidAt yamlTime `yaml:"paid_at"`
	}
	fixtureItem struct {
		SKU       string    `yaml:"sku"`
		Name      string    `yaml:"name"`
		Quantity  int       `yaml:"quantity"`
		UnitPrice yamlMoney `yaml:"unit_price"`
	}
	fixtureAddress struct {
		Name       string `yaml:"name"`
		Line1      string `yaml:"line1"`
		Line2      string `yaml:"line2"`
		PostalCode string `yaml:"postal_code"`
		City       string `yaml:"city"`
		Country    string `yaml:"country"`
	}
	fixtureInvoice struct {
		Number   string   `yaml:"number"`
		IssuedAt yamlTime `yaml:"issued_at"`
		URL      string   `yaml:"url"`
	}
)

// yamlMoney is an amount in euros, such as 12.50, in YAML.
type yamlMoney struct{ Money }

// UnmarshalYAML implements [yaml.Unmarshaler].
func (m *yamlMoney) UnmarshalYAML(node *yaml.Node) error {
	v, err := parseMoney(node.Value)
	if err != nil || node.Kind != yaml.ScalarNode {
		if err == nil {
			err = errors.New("not a single value")
		}
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: amount %q: %v", node.Line, node.Value, err)}}
	}
	m.Money = v
	return nil
}

// yamlTime is a time in RFC 3339, or a date, in YAML.
type yamlTime struct{ time.Time }

// UnmarshalYAML implements [yaml.Unmarshaler].
func (t *yamlTime) UnmarshalYAML(node *yaml.Node) error {
	v, err := parseTime(node.Value)
	if err != nil || node.Kind != yaml.ScalarNode {
		if err == nil {
			err = errors.New("not a single value")
		}
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: time %q: %v", node.Line, node.Value, err)}}
	}
	t.Time = v
	return nil
}

// parseTime parses an RFC 3339 time or a date (midnight UTC) between the
// years minYear and maxYear, and returns it in UTC to the microsecond.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t, err = time.Parse(time.DateOnly, s)
	}
	if err != nil {
		return time.Time{}, errors.New("not a time such as 2026-11-23T14:05:00+01:00 or a date such as 2026-11-23")
	}
	t = t.UTC().Truncate(time.Microsecond)
	if t.Year() < minYear || t.Year() > maxYear {
		return time.Time{}, fmt.Errorf("not between the years %d and %d", minYear, maxYear)
	}
	return t, nil
}

// checker collects the problems of a fixture, each prefixed with where it
// is.
type checker struct {
	problems []string
}

func (c *checker) addf(where, format string, args ...any) {
	c.problems = append(c.problems, where+": "+fmt.Sprintf(format, args...))
}

// text checks that a required (or optional) string field is valid text,
// which PostgreSQL can store, without surrounding spaces.
func (c *checker) text(where, field, s string, required bool) {
	switch {
	case required && s == "":
		c.addf(where, "%s is missing", field)
	case !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0:
		c.addf(where, "%s is not UTF-8 text without NUL bytes", field)
	case strings.TrimSpace(s) != s:
		c.addf(where, "%s %q has spaces around it", field, s)
	}
}

// amount checks that an amount is not negative.
func (c *checker) amount(where, field string, m Money) {
	if m < 0 {
		c.addf(where, "%s %s is negative", field, m)
	}
}

// build checks the file and builds its fixture, or returns the problems.
func (file *fixtureFile) build() (*Fixture, []string) {
	var c checker
	f := &Fixture{
		accounts:   make(map[string]int),
		byCustomer: make(map[string][]int),
		byOwner:    make(map[ownerKey]int),
		byEmail:    make(map[emailKey]int),
	}
	vouchers := make(map[string]string) // code -> where
	for i, fc := range file.Customers {
		where := fmt.Sprintf("customers[%d] (%s)", i, fc.ID)
		if a, ok := c.account(where, fc, vouchers); ok {
			if first, dup := f.accounts[a.CustomerID]; dup {
				c.addf(where, "duplicate customer id, first at customers[%d]", first)
				continue
			}
			f.accounts[a.CustomerID] = len(f.customers)
			f.customers = append(f.customers, a)
		}
	}
	invoices := make(map[string]string) // number -> where
	numbers := make(map[string]int)
	for i, fo := range file.Orders {
		where := fmt.Sprintf("orders[%d] (%s)", i, fo.Number)
		o, ok := c.order(where, fo, invoices)
		if !ok {
			continue
		}
		if first, dup := numbers[o.Number]; dup {
			c.addf(where, "duplicate order number, first at orders[%d]", first)
			continue
		}
		numbers[o.Number] = i
		ai, known := f.accounts[o.CustomerID]
		if !known {
			c.addf(where, "customer %q is not among the customers", o.CustomerID)
			continue
		}
		k := len(f.orders)
		f.orders = append(f.orders, o)
		f.byCustomer[o.CustomerID] = append(f.byCustomer[o.CustomerID], k)
		f.byOwner[ownerKey{o.CustomerID, o.Number}] = k
		f.byEmail[emailKey{o.Number, normalizeEmail(f.customers[ai].Email)}] = k
	}
	if len(c.problems) > 0 {
		return nil, c.problems
	}
	for _, indexes := range f.byCustomer {
		slices.SortFunc(indexes, func(i, j int) int {
			a, b := &f.orders[i], &f.orders[j]
			return cmp.Or(b.PlacedAt.Compare(a.PlacedAt), strings.Compare(b.Number, a.Number))
		})
	}
	return f, nil
}

// account checks a customer and returns its account.
func (c *checker) account(where string, fc fixtureCustomer, vouchers map[string]string) (Account, bool) {
	n := len(c.problems)
	c.text(where, "id", fc.ID, true)
	c.text(where, "name", fc.Name, true)
	c.text(where, "email", fc.Email, true)
	if fc.Email != "" && !strings.Contains(fc.Email, "@") {
		c.addf(where, "email %q has no @", fc.Email)
	}
	c.amount(where, "credit", fc.Credit.Money)
	if fc.Credit.Money == 0 && !fc.CreditExpires.IsZero() {
		c.addf(where, "credit_expires without credit")
	}
	a := Account{
		CustomerID:    fc.ID,
		Name:          fc.Name,
		Email:         fc.Email,
		Credit:        fc.Credit.Money,
		CreditExpires: fc.CreditExpires.Time,
	}
	for j, fv := range fc.Vouchers {
		vwhere := fmt.Sprintf("%s: vouchers[%d] (%s)", where, j, fv.Code)
		c.text(vwhere, "code", fv.Code, true)
		c.text(vwhere, "label", fv.Label, false)
		if !VoucherKind(fv.Kind).Valid() {
			c.addf(vwhere, "kind %q is not gift or subsidy", fv.Kind)
		}
		c.amount(vwhere, "amount", fv.Amount.Money)
		c.amount(vwhere, "remaining", fv.Remaining.Money)
		if fv.Remaining.Money > fv.Amount.Money {
			c.addf(vwhere, "remaining %s is more than the amount %s", fv.Remaining.Money, fv.Amount.Money)
		}
		if first, dup := vouchers[fv.Code]; dup && fv.Code != "" {
			c.addf(vwhere, "duplicate voucher code, first at %s", first)
		}
		vouchers[fv.Code] = vwhere
		a.Vouchers = append(a.Vouchers, Voucher{
			Code:      fv.Code,
			Kind:      VoucherKind(fv.Kind),
			Label:     fv.Label,
			Amount:    fv.Amount.Money,
			Remaining: fv.Remaining.Money,
			Expires:   fv.Expires.Time,
		})
	}
	slices.SortFunc(a.Vouchers, func(x, y Voucher) int { return strings.Compare(x.Code, y.Code) })
	return a, len(c.problems) == n
}

// order checks an order and returns it.
func (c *checker) order(where string, fo fixtureOrder, invoices map[string]string) (Order, bool) {
	n := len(c.problems)
	number, ok := NormalizeNumber(fo.Number)
	if !ok {
		c.addf(where, "number %q is not like CMD-2026-004512", fo.Number)
	}
	c.text(where, "customer", fo.Customer, true)
	o := Order{
		Number:       number,
		CustomerID:   fo.Customer,
		PlacedAt:     fo.PlacedAt.Time,
		Status:       Status(fo.Status),
		Payment:      Payment{Method: PaymentMethod(fo.Payment.Method), State: PaymentState(fo.Payment.State), PaidAt: fo.Payment.PaidAt.Time},
		Subtotal:     fo.Subtotal.Money,
		ShippingCost: fo.ShippingCost.Money,
		Total:        fo.Total.Money,
		ShippingAddress: Address{
			Name:       fo.ShippingAddress.Name,
			Line1:      fo.ShippingAddress.Line1,
			Line2:      fo.ShippingAddress.Line2,
			PostalCode: fo.ShippingAddress.PostalCode,
			City:       fo.ShippingAddress.City,
			Country:    fo.ShippingAddress.Country,
		},
		Carrier:        fo.Carrier,
		TrackingNumber: fo.TrackingNumber,
		TrackingURL:    cmp.Or(fo.TrackingURL, TrackingURL(fo.Carrier, fo.TrackingNumber)),
		ShippedAt:      fo.ShippedAt.Time,
		DeliveredAt:    fo.DeliveredAt.Time,
		CancelledAt:    fo.CancelledAt.Time,
	}
	if o.PlacedAt.IsZero() {
		c.addf(where, "placed_at is missing")
	}
	if !o.Status.Valid() {
		c.addf(where, "status %q is not pending, processing, shipped, delivered or cancelled", fo.Status)
	}
	c.payment(where, o)
	c.items(where, fo.Items, &o)
	c.shipping(where, o)
	if fo.Invoice != nil {
		inv := Invoice{Number: fo.Invoice.Number, IssuedAt: fo.Invoice.IssuedAt.Time, URL: fo.Invoice.URL}
		c.text(where, "invoice number", inv.Number, true)
		c.text(where, "invoice url", inv.URL, false)
		if inv.IssuedAt.IsZero() {
			c.addf(where, "invoice issued_at is missing")
		}
		if first, dup := invoices[inv.Number]; dup && inv.Number != "" {
			c.addf(where, "duplicate invoice number %q, first at %s", inv.Number, first)
		}
		invoices[inv.Number] = where
		o.Invoice = &inv
	}
	return o, len(c.problems) == n
}

// payment checks an order's payment.
func (c *checker) payment(where string, o Order) {
	p := o.Payment
	if !p.Method.Valid() {
		c.addf(where, "payment method %q is not card, paypal, bank_transfer, cheque, credit or voucher", p.Method)
	}
	if !p.State.Valid() {
		c.addf(where, "payment state %q is not pending, paid, refunded or failed", p.State)
	}
	switch {
	case p.State == PaymentPaid && p.PaidAt.IsZero():
		c.addf(where, "payment is paid but paid_at is missing")
	case (p.State == PaymentPending || p.State == PaymentFailed) && !p.PaidAt.IsZero():
		c.addf(where, "payment is %s but has paid_at", p.State)
	case !p.PaidAt.IsZero() && p.PaidAt.Before(o.PlacedAt):
		c.addf(where, "paid_at is before placed_at")
	}
}

// items checks an order's items and amounts, and sets o.Items.
func (c *checker) items(where string, items []fixtureItem, o *Order) {
	if len(items) == 0 {
		c.addf(where, "no items")
	}
	var sum Money
	for j, fi := range items {
		iwhere := fmt.Sprintf("%s: items[%d] (%s)", where, j, fi.SKU)
		c.text(iwhere, "sku", fi.SKU, true)
		c.text(iwhere, "name", fi.Name, true)
		if fi.Quantity < 1 || fi.Quantity > maxQuantity {
			c.addf(iwhere, "quantity %d is not between 1 and %d", fi.Quantity, maxQuantity)
		}
		c.amount(iwhere, "unit_price", fi.UnitPrice.Money)
		it := Item{SKU: fi.SKU, Name: fi.Name, Quantity: fi.Quantity, UnitPrice: fi.UnitPrice.Money}
		o.Items = append(o.Items, it)
		// Each line is at most maxQuantity × MaxMoney, and sum stays at
		// most MaxMoney before adding one: no overflow.
		if it.Quantity >= 1 && it.Quantity <= maxQuantity && it.UnitPrice >= 0 && sum <= MaxMoney {
			sum += it.Total()
		}
	}
	c.amount(where, "subtotal", o.Subtotal)
	c.amount(where, "shipping_cost", o.ShippingCost)
	c.amount(where, "total", o.Total)
	if sum > MaxMoney {
		c.addf(where, "the items add up to more than %s", MaxMoney)
	} else if sum != o.Subtotal {
		c.addf(where, "subtotal %s is not the sum of the items, %s", o.Subtotal, sum)
	}
	if o.Subtotal+o.ShippingCost != o.Total {
		c.addf(where, "total %s is not subtotal %s + shipping_cost %s", o.Total, o.Subtotal, o.ShippingCost)
	}
}

// shipping checks an order's address and the dates of its status.
func (c *checker) shipping(where string, o Order) {
	a := o.ShippingAddress
	for _, field := range []struct {
		name, value string
		required    bool
	}{
		{"shipping_address name", a.Name, true},
		{"shipping_address line1", a.Line1, true},
		{"shipping_address line2", a.Line2, false},
		{"shipping_address postal_code", a.PostalCode, true},
		{"shipping_address city", a.City, true},
		{"shipping_address country", a.Country, true},
		{"carrier", o.Carrier, false},
		{"tracking_number", o.TrackingNumber, false},
		{"tracking_url", o.TrackingURL, false},
	} {
		c.text(where, field.name, field.value, field.required)
	}
	if a.Country != "" && (len(a.Country) != 2 || strings.ToUpper(a.Country) != a.Country) {
		c.addf(where, "shipping_address country %q is not a code such as FR", a.Country)
	}
	if o.TrackingNumber != "" && o.Carrier == "" {
		c.addf(where, "tracking_number without a carrier")
	}
	shipped := o.Status == StatusShipped || o.Status == StatusDelivered
	switch {
	case shipped && o.Carrier == "":
		c.addf(where, "%s but carrier is missing", o.Status)
	case shipped && o.ShippedAt.IsZero():
		c.addf(where, "%s but shipped_at is missing", o.Status)
	case !shipped && !o.ShippedAt.IsZero():
		c.addf(where, "%s but has shipped_at", o.Status)
	case !o.ShippedAt.IsZero() && o.ShippedAt.Before(o.PlacedAt):
		c.addf(where, "shipped_at is before placed_at")
	}
	switch delivered := o.Status == StatusDelivered; {
	case delivered && o.DeliveredAt.IsZero():
		c.addf(where, "delivered but delivered_at is missing")
	case !delivered && !o.DeliveredAt.IsZero():
		c.addf(where, "%s but has delivered_at", o.Status)
	case delivered && o.DeliveredAt.Before(o.ShippedAt):
		c.addf(where, "delivered_at is before shipped_at")
	}
	switch cancelled := o.Status == StatusCancelled; {
	case cancelled && o.CancelledAt.IsZero():
		c.addf(where, "cancelled but cancelled_at is missing")
	case !cancelled && !o.CancelledAt.IsZero():
		c.addf(where, "%s but has cancelled_at", o.Status)
	case cancelled && o.CancelledAt.Before(o.PlacedAt):
		c.addf(where, "cancelled_at is before placed_at")
	}
}
