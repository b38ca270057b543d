package orders_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/orders"
)

// The conformance suite: each implementation of orders.Source, given the
// same fixture, answers the same.

func TestFixtureSource(t *testing.T) {
	testSource(t, func(t *testing.T, f *orders.Fixture) orders.Source { return f })
}

func TestPostgresSource(t *testing.T) {
	testSource(t, func(t *testing.T, f *orders.Fixture) orders.Source { return mustSeeded(t, f) })
}

// utc parses an RFC 3339 time.
func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// wantOrder4 is CMD-2026-000004 of testdata/shop.yaml.
var wantOrder4 = orders.Order{
	Number:     "CMD-2026-000004",
	CustomerID: "cust-1",
	PlacedAt:   utc("2026-11-10T13:00:00Z"),
	Status:     orders.StatusShipped,
	Payment:    orders.Payment{Method: orders.MethodVoucher, State: orders.PaymentPaid, PaidAt: utc("2026-11-10T13:00:00Z")},
	Items: []orders.Item{
		{SKU: "CAH-1", Name: "Carnet A5", Quantity: 2, UnitPrice: 1250},
		{SKU: "STY-1", Name: "Stylo plume", Quantity: 1, UnitPrice: 2400},
	},
	Subtotal:        4900,
	ShippingCost:    390,
	Total:           5290,
	ShippingAddress: orders.Address{Name: "Alice Martin", Line1: "Atelier", Line2: "5 quai Saint-Vincent", PostalCode: "69001", City: "Lyon", Country: "FR"},
	Carrier:         "Mondial Relay",
	TrackingNumber:  "47291836",
	TrackingURL:     "https://www.mondialrelay.fr/suivi-de-colis/?NumeroExpedition=47291836",
	ShippedAt:       utc("2026-11-11T09:00:00Z"),
	Invoice:         &orders.Invoice{Number: "FAC-4", IssuedAt: utc("2026-11-11T09:00:00Z"), URL: "https://shop.example/f/FAC-4.pdf"},
}

// wantAccount1 is cust-1 of testdata/shop.yaml.
var wantAccount1 = orders.Account{
	CustomerID:    "cust-1",
	Name:          "Alice Martin",
	Email:         "Alice.Martin@Example.fr",
	Credit:        123450,
	CreditExpires: utc("2027-03-31T00:00:00Z"),
	Vouchers: []orders.Voucher{
		{Code: "CADEAU-01", Kind: orders.VoucherGift, Label: "Chèque cadeau", Amount: 5000, Remaining: 5000},
		{Code: "SUBV-CSE-01", Kind: orders.VoucherSubsidy, Label: "CSE Garnier", Amount: 8000, Remaining: 3620, Expires: utc("2026-12-31T00:00:00Z")},
	},
}

// testSource runs the conformance suite on the sources newSource makes
// from a fixture.
func testSource(t *testing.T, newSource func(*testing.T, *orders.Fixture) orders.Source) {
	shop := mustLoad(t, shopFixture)
	s := newSource(t, shop)
	ctx := t.Context()

	t.Run("Account", func(t *testing.T) {
		for _, test := range []struct {
			customerID string
			want       *orders.Account // nil: ErrNotFound
		}{
			{"cust-1", &wantAccount1},
			{"cust-3", &orders.Account{CustomerID: "cust-3", Name: "Chloé Roux", Email: "chloe.roux@example.fr"}},
			{"cust-9", nil},
			{"", nil},
			{"CUST-1", nil},
			{" cust-1", nil},
			{"cust-1\x00", nil},
			{"cust-\xff", nil},
			{"%", nil},
		} {
			got, err := s.Account(ctx, test.customerID)
			if test.want == nil {
				if !errors.Is(err, orders.ErrNotFound) {
					t.Errorf("Account(%q) = %+v, %v; want ErrNotFound", test.customerID, got, err)
				}
				continue
			}
			if err != nil || !reflect.DeepEqual(got, *test.want) {
				t.Errorf("Account(%q) = %+v, %v\nwant %+v", test.customerID, got, err, *test.want)
			}
		}
	})

	t.Run("Orders", func(t *testing.T) {
		for _, test := range []struct {
			customerID string
			limit      int
			want       []string
		}{
			// 000002 and 000003 were placed at the same time.
			{"cust-1", 10, []string{"CMD-2026-000004", "CMD-2026-000003", "CMD-2026-000002", "CMD-2026-000001"}},
			{"cust-1", 4, []string{"CMD-2026-000004", "CMD-2026-000003", "CMD-2026-000002", "CMD-2026-000001"}},
			{"cust-1", 2, []string{"CMD-2026-000004", "CMD-2026-000003"}},
			{"cust-1", 1, []string{"CMD-2026-000004"}},
			{"cust-1", 0, nil},
			{"cust-1", -1, nil},
			{"cust-2", 5, []string{"CMD-2026-000010"}},
			{"cust-3", 5, nil},
			{"cust-9", 5, nil},
			{"", 5, nil},
			{"CUST-1", 5, nil},
			{"cust-1\x00", 5, nil},
		} {
			got, err := s.Orders(ctx, test.customerID, test.limit)
			if err != nil {
				t.Errorf("Orders(%q, %d): %v", test.customerID, test.limit, err)
				continue
			}
			var numbers []string
			for _, o := range got {
				numbers = append(numbers, o.Number)
				if o.CustomerID != test.customerID {
					t.Errorf("Orders(%q, %d) returns %s of %q", test.customerID, test.limit, o.Number, o.CustomerID)
				}
			}
			if !reflect.DeepEqual(numbers, test.want) {
				t.Errorf("Orders(%q, %d) = %v, want %v", test.customerID, test.limit, numbers, test.want)
			}
		}
		got, err := s.Orders(ctx, "cust-1", 1)
		if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], wantOrder4) {
			t.Errorf("Orders(cust-1, 1) = %+v, %v\nwant %+v", got, err, wantOrder4)
		}
	})

	t.Run("Order", func(t *testing.T) {
		for _, test := range []struct {
			customerID, number string
			want               string // "": ErrNotFound
		}{
			{"cust-1", "CMD-2026-000004", "CMD-2026-000004"},
			{"cust-1", "cmd-2026-000004", "CMD-2026-000004"},
			{"cust-1", " Cmd-2026-000004\t", "CMD-2026-000004"},
			{"cust-1", "CMD-2026-000003", "CMD-2026-000003"}, // stored from lower case
			{"cust-2", "CMD-2026-000010", "CMD-2026-000010"},
			{"cust-2", "CMD-2026-000004", ""}, // another customer's
			{"cust-3", "CMD-2026-000004", ""},
			{"cust-1", "CMD-2026-000010", ""},
			{"cust-1", "CMD-2026-000099", ""}, // nonexistent
			{"cust-9", "CMD-2026-000004", ""},
			{"", "CMD-2026-000004", ""},
			{"", "", ""},
			{"cust-1", "", ""},
			{"cust-1", "2026-000004", ""},
			{"cust-1", "CMD-2026-000004\x00", ""},
			{"cust-1\x00", "CMD-2026-000004", ""},
			{"CUST-1", "CMD-2026-000004", ""},
		} {
			got, err := s.Order(ctx, test.customerID, test.number)
			switch {
			case test.want == "" && !errors.Is(err, orders.ErrNotFound):
				t.Errorf("Order(%q, %q) = %s of %q, %v; want ErrNotFound", test.customerID, test.number, got.Number, got.CustomerID, err)
			case test.want != "" && (err != nil || got.Number != test.want || got.CustomerID != test.customerID):
				t.Errorf("Order(%q, %q) = %s of %q, %v; want %s", test.customerID, test.number, got.Number, got.CustomerID, err, test.want)
			}
		}
		got, err := s.Order(ctx, "cust-1", "cmd-2026-000004")
		if err != nil || !reflect.DeepEqual(got, wantOrder4) {
			t.Errorf("Order(cust-1, cmd-2026-000004) = %+v, %v\nwant %+v", got, err, wantOrder4)
		}
	})

	t.Run("OtherCustomersOrderIsNotFound", func(t *testing.T) {
		// The same question about another customer's order and about a
		// nonexistent one gets the same answer, number aside.
		_, errOther := s.Order(ctx, "cust-2", "CMD-2026-000004")
		_, errNone := s.Order(ctx, "cust-2", "CMD-2026-000099")
		if !errors.Is(errOther, orders.ErrNotFound) || !errors.Is(errNone, orders.ErrNotFound) {
			t.Fatalf("errors %v and %v; want ErrNotFound", errOther, errNone)
		}
		if a, b := strings.ReplaceAll(errOther.Error(), "000004", "N"), strings.ReplaceAll(errNone.Error(), "000099", "N"); a != b {
			t.Errorf("another customer's order: %q; a nonexistent one: %q", a, b)
		}
		_, errOther = s.OrderByEmail(ctx, "CMD-2026-000004", "bruno.petit@example.fr")
		_, errNone = s.OrderByEmail(ctx, "CMD-2026-000099", "bruno.petit@example.fr")
		if a, b := strings.ReplaceAll(errOther.Error(), "000004", "N"), strings.ReplaceAll(errNone.Error(), "000099", "N"); a != b || !errors.Is(errOther, orders.ErrNotFound) {
			t.Errorf("by email, another customer's order: %q; a nonexistent one: %q", a, b)
		}
	})

	t.Run("OrderByEmail", func(t *testing.T) {
		for _, test := range []struct {
			number, email string
			want          string // "": ErrNotFound
		}{
			{"CMD-2026-000004", "Alice.Martin@Example.fr", "CMD-2026-000004"},
			{"CMD-2026-000004", "alice.martin@example.fr", "CMD-2026-000004"},
			{"cmd-2026-000004", "  ALICE.MARTIN@EXAMPLE.FR \n", "CMD-2026-000004"},
			{"CMD-2026-000010", "bruno.petit@example.fr", "CMD-2026-000010"},
			{"CMD-2026-000004", "bruno.petit@example.fr", ""}, // another customer's email
			{"CMD-2026-000004", "alice.martin@example.com", ""},
			{"CMD-2026-000004", "alice.martin", ""},
			{"CMD-2026-000099", "alice.martin@example.fr", ""},
			{"CMD-2026-000004", "", ""},
			{"", "alice.martin@example.fr", ""},
			{"", "", ""},
			{"CMD-2026-000004", "alice.martin@example.fr\x00", ""},
			{"CMD-2026-000004", "%", ""},
		} {
			got, err := s.OrderByEmail(ctx, test.number, test.email)
			switch {
			case test.want == "" && !errors.Is(err, orders.ErrNotFound):
				t.Errorf("OrderByEmail(%q, %q) = %s, %v; want ErrNotFound", test.number, test.email, got.Number, err)
			case test.want != "" && (err != nil || got.Number != test.want):
				t.Errorf("OrderByEmail(%q, %q) = %s, %v; want %s", test.number, test.email, got.Number, err, test.want)
			}
		}
		got, err := s.OrderByEmail(ctx, "CMD-2026-000004", "alice.martin@example.fr")
		if err != nil || !reflect.DeepEqual(got, wantOrder4) {
			t.Errorf("OrderByEmail = %+v, %v\nwant %+v", got, err, wantOrder4)
		}
	})

	t.Run("SameAsFixture", func(t *testing.T) {
		// Every account and order reads back as the fixture has it, for
		// the test shop and the demo shop.
		for _, path := range []string{shopFixture, demoFixture} {
			f := mustLoad(t, path)
			src := s
			if path != shopFixture {
				src = newSource(t, f)
			}
			checkSameAsFixture(t, ctx, src, f)
		}
	})
}

// checkSameAsFixture checks that src returns f's accounts and orders.
func checkSameAsFixture(t *testing.T, ctx context.Context, src orders.Source, f *orders.Fixture) {
	t.Helper()
	all := f.AllOrders()
	for _, want := range f.Customers() {
		got, err := src.Account(ctx, want.CustomerID)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Account(%q) = %+v, %v\nwant %+v", want.CustomerID, got, err, want)
		}
		list, err := src.Orders(ctx, want.CustomerID, len(all)+1)
		if err != nil {
			t.Errorf("Orders(%q): %v", want.CustomerID, err)
		}
		for i, o := range list {
			if i > 0 && o.PlacedAt.After(list[i-1].PlacedAt) {
				t.Errorf("Orders(%q): %s after %s", want.CustomerID, o.Number, list[i-1].Number)
			}
			if o.CustomerID != want.CustomerID {
				t.Errorf("Orders(%q) returns %s of %q", want.CustomerID, o.Number, o.CustomerID)
			}
		}
	}
	for _, want := range all {
		got, err := src.Order(ctx, want.CustomerID, want.Number)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Order(%q, %q) = %+v, %v\nwant %+v", want.CustomerID, want.Number, got, err, want)
		}
	}
}
