package orders_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/supportd/supportd/orders"
)

// validFixture is a small valid fixture that the cases of
// TestParseFixtureErrors break.
const validFixture = `
customers:
  - id: cust-1
    name: Alice Martin
    email: alice@example.fr
    credit: 10
    credit_expires: 2027-01-31
    vouchers:
      - {code: GIFT-1, kind: gift, label: Cadeau, amount: 50, remaining: 20}
  - id: cust-2
    name: Bruno Petit
    email: bruno@example.fr
orders:
  - number: CMD-2026-000001
    customer: cust-1
    placed_at: 2026-11-18T09:42:00+01:00
    status: shipped
    payment: {method: card, state: paid, paid_at: 2026-11-18T09:43:00+01:00}
    items:
      - {sku: ENC-1, name: Cartouche, quantity: 2, unit_price: 14.90}
    subtotal: 29.80
    shipping_cost: 4.90
    total: 34.70
    shipping_address: {name: Alice Martin, line1: 1 rue de la Paix, postal_code: "75002", city: Paris, country: FR}
    carrier: Colissimo
    tracking_number: 6A1
    shipped_at: 2026-11-19T14:05:00+01:00
    invoice: {number: FAC-1, issued_at: 2026-11-19T14:05:00+01:00}
`

// secondOrder is an order to append to validFixture's.
const secondOrder = `
  - number: CMD-2026-000002
    customer: cust-2
    placed_at: 2026-11-20T10:00:00+01:00
    status: pending
    payment: {method: cheque, state: pending}
    items: [{sku: PAP-1, name: Ramette, quantity: 1, unit_price: 5.90}]
    subtotal: 5.90
    shipping_cost: 0
    total: 5.90
    shipping_address: {name: Bruno Petit, line1: 3 allée des Tanneurs, postal_code: "44000", city: Nantes, country: FR}
`

func TestParseFixtureErrors(t *testing.T) {
	if _, err := orders.ParseFixture([]byte(validFixture + secondOrder)); err != nil {
		t.Fatalf("the valid fixture: %v", err)
	}
	for _, test := range []struct {
		name     string
		old, new string   // validFixture+secondOrder with old replaced by new
		want     []string // in the error
	}{
		{"not YAML", "customers:", "customers: [", []string{"orders: fixture: yaml:"}},
		{"unknown field", "    carrier: Colissimo", "    colour: blue\n    carrier: Colissimo", []string{"line 25: field colour not found"}},
		{"unknown status", "status: shipped", "status: lost", []string{`orders[0] (CMD-2026-000001): status "lost" is not pending, processing, shipped, delivered or cancelled`}},
		{"status in upper case", "status: shipped", "status: SHIPPED", []string{`status "SHIPPED"`}},
		{"unknown payment method", "method: card", "method: cash", []string{`orders[0] (CMD-2026-000001): payment method "cash"`}},
		{"unknown payment state", "state: paid", "state: ok", []string{`payment state "ok"`}},
		{"unknown voucher kind", "kind: gift", "kind: coupon", []string{`customers[0] (cust-1): vouchers[0] (GIFT-1): kind "coupon" is not gift or subsidy`}},
		{"malformed number", "number: CMD-2026-000002", "number: 2026-2", []string{`orders[1] (2026-2): number "2026-2" is not like CMD-2026-004512`}},
		{"duplicate order number", "number: CMD-2026-000002", "number: cmd-2026-000001", []string{"orders[1] (cmd-2026-000001): duplicate order number, first at orders[0]"}},
		{"duplicate customer", "id: cust-2", "id: cust-1", []string{"customers[1] (cust-1): duplicate customer id, first at customers[0]"}},
		{"duplicate invoice", "    subtotal: 5.90", "    invoice: {number: FAC-1, issued_at: 2026-11-20T10:00:00Z}\n    subtotal: 5.90", []string{`orders[1] (CMD-2026-000002): duplicate invoice number "FAC-1", first at orders[0]`}},
		{"unknown customer", "customer: cust-2", "customer: cust-9", []string{`orders[1] (CMD-2026-000002): customer "cust-9" is not among the customers`}},
		{"missing customer", "    customer: cust-2\n", "", []string{"orders[1] (CMD-2026-000002): customer is missing"}},
		{"missing email", "    email: bruno@example.fr\n", "", []string{"customers[1] (cust-2): email is missing"}},
		{"email without @", "email: bruno@example.fr", "email: bruno", []string{`email "bruno" has no @`}},
		{"id with spaces", "id: cust-2", `id: " cust-2"`, []string{`customers[1] ( cust-2): id " cust-2" has spaces around it`}},
		{"NUL byte", "name: Bruno Petit", `name: "Bruno\0"`, []string{"customers[1] (cust-2): name is not UTF-8 text without NUL bytes"}},
		{"negative credit", "credit: 10", "credit: -10", []string{"customers[0] (cust-1): credit -10.00 is negative"}},
		{"credit expiry without credit", "credit: 10", "credit: 0", []string{"customers[0] (cust-1): credit_expires without credit"}},
		{"voucher overspent", "remaining: 20", "remaining: 60", []string{"vouchers[0] (GIFT-1): remaining 60.00 is more than the amount 50.00"}},
		{"negative unit price", "unit_price: 5.90", "unit_price: -5.90", []string{
			"orders[1] (CMD-2026-000002): items[0] (PAP-1): unit_price -5.90 is negative",
		}},
		{"negative shipping", "shipping_cost: 0", "shipping_cost: -1", []string{"shipping_cost -1.00 is negative", "total 5.90 is not subtotal 5.90 + shipping_cost -1.00"}},
		{"zero quantity", "quantity: 1", "quantity: 0", []string{"items[0] (PAP-1): quantity 0 is not between 1 and 1000000"}},
		{"quantity not a number", "quantity: 1", "quantity: one", []string{"cannot unmarshal !!str `one` into int"}},
		{"subtotal wrong", "subtotal: 29.80", "subtotal: 29.90", []string{"orders[0] (CMD-2026-000001): subtotal 29.90 is not the sum of the items, 29.80"}},
		{"total wrong", "total: 34.70", "total: 34.60", []string{"orders[0] (CMD-2026-000001): total 34.60 is not subtotal 29.80 + shipping_cost 4.90"}},
		{"huge items", "quantity: 2, unit_price: 14.90", "quantity: 1000000, unit_price: 10000000000", []string{"the items add up to more than 10000000000.00"}},
		{"no items", "    items: [{sku: PAP-1, name: Ramette, quantity: 1, unit_price: 5.90}]\n", "", []string{"orders[1] (CMD-2026-000002): no items"}},
		{"amount with three decimals", "unit_price: 14.90", "unit_price: 14.905", []string{`line 20: amount "14.905": more than two decimals`}},
		{"amount not a number", "total: 34.70", "total: cher", []string{`amount "cher": not an amount in euros`}},
		{"invalid date", "placed_at: 2026-11-18T09:42:00+01:00", "placed_at: 2026-13-01", []string{`line 16: time "2026-13-01": not a time such as`}},
		{"time without offset", "placed_at: 2026-11-18T09:42:00+01:00", "placed_at: 2026-11-18T09:42:00", []string{`time "2026-11-18T09:42:00"`}},
		{"year out of range", "placed_at: 2026-11-18T09:42:00+01:00", "placed_at: 1900-01-01", []string{"not between the years 1970 and 9999"}},
		{"missing placed_at", "    placed_at: 2026-11-20T10:00:00+01:00\n", "", []string{"orders[1] (CMD-2026-000002): placed_at is missing"}},
		{"paid without paid_at", "state: paid, paid_at: 2026-11-18T09:43:00+01:00", "state: paid", []string{"payment is paid but paid_at is missing"}},
		{"pending with paid_at", "state: pending}", "state: pending, paid_at: 2026-11-20T10:00:00Z}", []string{"payment is pending but has paid_at"}},
		{"paid before placed", "paid_at: 2026-11-18T09:43:00+01:00", "paid_at: 2026-11-17T09:43:00+01:00", []string{"paid_at is before placed_at"}},
		{"shipped without shipped_at", "    shipped_at: 2026-11-19T14:05:00+01:00\n", "", []string{"shipped but shipped_at is missing"}},
		{"shipped without carrier", "    carrier: Colissimo\n    tracking_number: 6A1\n", "", []string{"shipped but carrier is missing"}},
		{"tracking without carrier", "    carrier: Colissimo\n", "", []string{"tracking_number without a carrier"}},
		{"pending with shipped_at", "status: shipped", "status: pending", []string{"pending but has shipped_at"}},
		{"delivered without delivered_at", "status: shipped", "status: delivered", []string{"delivered but delivered_at is missing"}},
		{"delivered before shipped", "    shipped_at: 2026-11-19T14:05:00+01:00\n", "    shipped_at: 2026-11-19T14:05:00+01:00\n    delivered_at: 2026-11-19T14:00:00+01:00\n", []string{"shipped but has delivered_at"}},
		{"cancelled without cancelled_at", "status: pending", "status: cancelled", []string{"orders[1] (CMD-2026-000002): cancelled but cancelled_at is missing"}},
		{"cancelled_at on a pending order", "status: pending", "status: pending\n    cancelled_at: 2026-11-21T10:00:00Z", []string{"pending but has cancelled_at"}},
		{"invoice without issued_at", "invoice: {number: FAC-1, issued_at: 2026-11-19T14:05:00+01:00}", "invoice: {number: FAC-1}", []string{"invoice issued_at is missing"}},
		{"bad country", "city: Nantes, country: FR}", "city: Nantes, country: France}", []string{`country "France" is not a code such as FR`}},
		{"every problem at once", "status: shipped\n    payment: {method: card", "status: lost\n    payment: {method: cash", []string{`orders[0] (CMD-2026-000001): status "lost"`, `orders[0] (CMD-2026-000001): payment method "cash"`}},
	} {
		t.Run(test.name, func(t *testing.T) {
			data := validFixture + secondOrder
			if !strings.Contains(data, test.old) {
				t.Fatalf("the fixture has no %q", test.old)
			}
			data = strings.Replace(data, test.old, test.new, 1)
			f, err := orders.ParseFixture([]byte(data))
			if err == nil {
				t.Fatalf("ParseFixture: no error, %d orders", len(f.AllOrders()))
			}
			for _, want := range test.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("ParseFixture: %v\nwant an error with %q", err, want)
				}
			}
		})
	}
}

func TestDuplicateFieldRefused(t *testing.T) {
	data := strings.Replace(validFixture, "    status: shipped", "    status: shipped\n    status: pending", 1)
	if _, err := orders.ParseFixture([]byte(data)); err == nil || !strings.Contains(err.Error(), `mapping key "status" already defined`) {
		t.Errorf("ParseFixture with a field twice: %v", err)
	}
}

func TestParseFixtureEmpty(t *testing.T) {
	for _, data := range []string{"", "# nothing\n", "customers: []\norders: []\n"} {
		f, err := orders.ParseFixture([]byte(data))
		if err != nil {
			t.Errorf("ParseFixture(%q): %v", data, err)
			continue
		}
		if len(f.Customers()) != 0 || len(f.AllOrders()) != 0 {
			t.Errorf("ParseFixture(%q): not empty", data)
		}
	}
}

func TestLoadFixtureErrors(t *testing.T) {
	broken := errors.New("disk on fire")
	if _, err := orders.LoadFixture(iotest.ErrReader(broken)); !errors.Is(err, broken) {
		t.Errorf("LoadFixture of a failing reader: %v", err)
	}
	big := bytes.Repeat([]byte("#"), orders.MaxFixtureSize+1)
	if _, err := orders.LoadFixture(bytes.NewReader(big)); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("LoadFixture of %d bytes: %v", len(big), err)
	}
}

// TestDemoFixture checks that the demo shop's fixture loads and has an
// example of everything the assistant explains.
func TestDemoFixture(t *testing.T) {
	f := mustLoad(t, demoFixture)
	customers, all := f.Customers(), f.AllOrders()
	if len(customers) < 4 || len(all) < 12 {
		t.Errorf("%d customers and %d orders, want at least 4 and 12", len(customers), len(all))
	}
	seen := make(map[string]bool)
	for _, a := range customers {
		if a.Credit > 0 && !a.CreditExpires.IsZero() {
			seen["credit with expiry"] = true
		}
		for _, v := range a.Vouchers {
			seen["voucher "+string(v.Kind)] = true
		}
		if !strings.HasSuffix(a.Email, "@example.fr") {
			t.Errorf("%s: email %s is not @example.fr", a.CustomerID, a.Email)
		}
	}
	for _, o := range all {
		seen["status "+string(o.Status)] = true
		seen["method "+string(o.Payment.Method)] = true
		seen["state "+string(o.Payment.State)] = true
		seen["carrier "+o.Carrier] = true
		seen[string(o.Payment.Method)+" "+string(o.Payment.State)] = true
		if o.Invoice != nil {
			seen[string(o.Status)+" with invoice"] = true
		}
		if o.Status == orders.StatusShipped && o.Carrier == "Colissimo" && o.TrackingURL != "" {
			seen["shipped with Colissimo tracking"] = true
		}
		if o.Status == orders.StatusCancelled && o.Payment.State == orders.PaymentRefunded {
			seen["cancelled and refunded"] = true
		}
		if o.Status == orders.StatusProcessing && o.Payment.Method == orders.MethodCard {
			seen["card order processing"] = true
		}
		if o.PlacedAt.Year() != 2026 || o.PlacedAt.Month() < 10 || o.PlacedAt.Month() > 11 {
			t.Errorf("%s placed on %s, not around November 2026", o.Number, o.PlacedAt)
		}
	}
	for _, want := range []string{
		"credit with expiry", "voucher gift", "voucher subsidy",
		"status pending", "status processing", "status shipped", "status delivered", "status cancelled",
		"method card", "method paypal", "method bank_transfer", "method cheque", "method credit", "method voucher",
		"state pending", "state paid", "state refunded", "state failed",
		"bank_transfer pending", "cheque pending", "card order processing", "shipped with Colissimo tracking",
		"delivered with invoice", "cancelled and refunded",
		"carrier Colissimo", "carrier Chronopost", "carrier Mondial Relay", "carrier DPD",
	} {
		if !seen[want] {
			t.Errorf("the demo has no example of %s", want)
		}
	}
}

// TestFixtureReturnsCopies checks that changing what a Fixture returns
// does not change the fixture.
func TestFixtureReturnsCopies(t *testing.T) {
	f := mustLoad(t, shopFixture)
	ctx := t.Context()
	o, _ := f.Order(ctx, "cust-1", "CMD-2026-000004")
	o.Items[0].Quantity = 99
	o.Invoice.URL = "https://evil.example"
	list, _ := f.Orders(ctx, "cust-1", 1)
	list[0].Items[1].Name = "changed"
	a, _ := f.Account(ctx, "cust-1")
	a.Vouchers[0].Remaining = 1
	f.Customers()[0].Vouchers[0].Code = "changed"
	f.AllOrders()[3].Items[0].SKU = "changed"
	checkSameAsFixture(t, ctx, f, mustLoad(t, shopFixture))
}

// FuzzParseFixture checks that ParseFixture never panics, and that what it
// accepts is a consistent Source. Its seed corpus is in
// testdata/fuzz/FuzzParseFixture, plus the test fixtures.
func FuzzParseFixture(f *testing.F) {
	for _, path := range []string{shopFixture, demoFixture} {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(validFixture + secondOrder))
	f.Fuzz(func(t *testing.T, data []byte) {
		fx, err := orders.ParseFixture(data)
		if err != nil {
			return
		}
		ctx := context.Background()
		emails := make(map[string]string)
		for _, a := range fx.Customers() {
			if a.CustomerID == "" {
				t.Fatalf("a customer with an empty id")
			}
			emails[a.CustomerID] = a.Email
		}
		for _, o := range fx.AllOrders() {
			if o.Subtotal+o.ShippingCost != o.Total || o.Total < 0 {
				t.Fatalf("%s: amounts %d + %d != %d", o.Number, o.Subtotal, o.ShippingCost, o.Total)
			}
			got, err := fx.Order(ctx, o.CustomerID, strings.ToLower(o.Number))
			if err != nil || got.Number != o.Number {
				t.Fatalf("Order(%q, %q) = %v, %v", o.CustomerID, o.Number, got.Number, err)
			}
			if _, err := fx.Order(ctx, o.CustomerID+"x", o.Number); !errors.Is(err, orders.ErrNotFound) {
				t.Fatalf("Order of another customer: %v", err)
			}
			if _, err := fx.OrderByEmail(ctx, o.Number, " "+strings.ToUpper(emails[o.CustomerID])); err != nil {
				t.Fatalf("OrderByEmail(%q, %q): %v", o.Number, emails[o.CustomerID], err)
			}
		}
	})
}

// TestFixtureConcurrent reads a Fixture from several goroutines, for the
// race detector.
func TestFixtureConcurrent(t *testing.T) {
	f := mustLoad(t, demoFixture)
	ctx := t.Context()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for _, o := range f.AllOrders() {
				got, err := f.Order(ctx, o.CustomerID, o.Number)
				if err != nil {
					t.Errorf("Order(%q, %q): %v", o.CustomerID, o.Number, err)
					return
				}
				got.Items[0].Quantity++
				list, _ := f.Orders(ctx, o.CustomerID, 3)
				list[0].Items = nil
				a, _ := f.Account(ctx, o.CustomerID)
				a.Vouchers = append(a.Vouchers, orders.Voucher{})
			}
		})
	}
	wg.Wait()
}
