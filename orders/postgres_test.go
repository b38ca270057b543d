package orders_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/supportd/supportd/internal/pgtest"
	"github.com/supportd/supportd/orders"
)

func TestMigrate(t *testing.T) {
	pool, err := pgxpool.New(t.Context(), pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for _, want := range [][]string{{"orders_0001_init"}, nil} {
		applied, err := orders.Migrate(t.Context(), pool)
		if err != nil || !slices.Equal(applied, want) {
			t.Errorf("Migrate = %v, %v; want %v", applied, err, want)
		}
	}
}

func TestOpenPostgres(t *testing.T) {
	url := pgtest.URL(t)
	p, err := orders.OpenPostgres(t.Context(), url)
	if err != nil {
		t.Fatalf("OpenPostgres: %v", err)
	}
	defer p.Close()
	if err := p.Seed(t.Context(), mustLoad(t, demoFixture)); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	o, err := p.OrderByEmail(t.Context(), "cmd-2026-004526", "thomas.girard@example.fr")
	if err != nil || o.CustomerID != "cust-1004" || o.Payment.Method != orders.MethodCredit {
		t.Errorf("OrderByEmail = %+v, %v", o, err)
	}
	// A second process finds the schema up to date.
	again, err := orders.OpenPostgres(t.Context(), url)
	if err != nil {
		t.Fatalf("OpenPostgres again: %v", err)
	}
	again.Close()
}

// dump returns the rows of the orders' tables as text, sorted.
func dump(tb testing.TB, pool *pgxpool.Pool) []string {
	tb.Helper()
	var rows []string
	for _, table := range []string{"shop_customers", "shop_vouchers", "shop_orders", "shop_order_items"} {
		r, err := pool.Query(tb.Context(), "SELECT t::text FROM "+table+" t ORDER BY 1")
		if err != nil {
			tb.Fatal(err)
		}
		for r.Next() {
			var row string
			if err := r.Scan(&row); err != nil {
				tb.Fatal(err)
			}
			rows = append(rows, table+" "+row)
		}
		if err := r.Err(); err != nil {
			tb.Fatal(err)
		}
	}
	return rows
}

func TestSeedTwice(t *testing.T) {
	ctx := t.Context()
	pool := mustPool(t)
	p := orders.NewPostgres(pool)
	shop := mustLoad(t, shopFixture)
	if err := p.Seed(ctx, shop); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	first := dump(t, pool)
	if len(first) != 3+2+5+8 {
		t.Errorf("%d rows after Seed, want 18:\n%s", len(first), strings.Join(first, "\n"))
	}
	if err := p.Seed(ctx, shop); err != nil {
		t.Fatalf("Seed again: %v", err)
	}
	if again := dump(t, pool); !slices.Equal(again, first) {
		t.Errorf("Seed twice changed the data:\n%s\nthen\n%s", strings.Join(first, "\n"), strings.Join(again, "\n"))
	}

	// Seeding a changed fixture overwrites what it holds: a voucher and
	// an item gone, a name changed.
	data, err := os.ReadFile(shopFixture)
	if err != nil {
		t.Fatal(err)
	}
	changed := string(data)
	for _, c := range [][2]string{
		{"      - {code: CADEAU-01, kind: gift, label: Chèque cadeau, amount: 50, remaining: 50}\n", ""},
		{"      - {sku: ENC-2, name: Flacon d'encre, quantity: 1, unit_price: 0}\n", ""},
		{"name: Alice Martin\n    email:", "name: Alice Dupont\n    email:"},
	} {
		if !strings.Contains(changed, c[0]) {
			t.Fatalf("%s has no %q", shopFixture, c[0])
		}
		changed = strings.Replace(changed, c[0], c[1], 1)
	}
	f, err := orders.ParseFixture([]byte(changed))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Seed(ctx, f); err != nil {
		t.Fatalf("Seed changed: %v", err)
	}
	checkSameAsFixture(t, ctx, p, f)
	if got := len(dump(t, pool)); got != len(first)-2 {
		t.Errorf("%d rows after seeding the changed fixture, want %d", got, len(first)-2)
	}
	if err := p.Seed(ctx, shop); err != nil {
		t.Fatalf("Seed back: %v", err)
	}
	if again := dump(t, pool); !slices.Equal(again, first) {
		t.Errorf("Seed back:\n%s\nwant\n%s", strings.Join(again, "\n"), strings.Join(first, "\n"))
	}
}

// TestPostgresUnavailable checks that a database out of reach gives errors
// wrapping ErrUnavailable, never ErrNotFound.
func TestPostgresUnavailable(t *testing.T) {
	ctx := t.Context()
	shop := mustLoad(t, shopFixture)
	calls := func(p *orders.Postgres) map[string]error {
		_, errAccount := p.Account(ctx, "cust-1")
		_, errOrders := p.Orders(ctx, "cust-1", 5)
		_, errOrder := p.Order(ctx, "cust-1", "CMD-2026-000004")
		_, errByEmail := p.OrderByEmail(ctx, "CMD-2026-000004", "alice.martin@example.fr")
		return map[string]error{
			"Account":      errAccount,
			"Orders":       errOrders,
			"Order":        errOrder,
			"OrderByEmail": errByEmail,
			"Seed":         p.Seed(ctx, shop),
		}
	}

	t.Run("closed pool", func(t *testing.T) {
		pool := mustPool(t)
		p := orders.NewPostgres(pool)
		if err := p.Seed(ctx, shop); err != nil {
			t.Fatal(err)
		}
		pool.Close()
		errs := calls(p)
		_, errs["Migrate"] = orders.Migrate(ctx, pool)
		for name, err := range errs {
			if !errors.Is(err, orders.ErrUnavailable) || errors.Is(err, orders.ErrNotFound) {
				t.Errorf("%s on a closed pool: %v; want ErrUnavailable", name, err)
			}
		}
	})

	t.Run("server gone", func(t *testing.T) {
		// Nothing listens on port 1.
		pool, err := pgxpool.New(ctx, "postgres://postgres@127.0.0.1:1/nothing?sslmode=disable&connect_timeout=2")
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		for name, err := range calls(orders.NewPostgres(pool)) {
			if !errors.Is(err, orders.ErrUnavailable) {
				t.Errorf("%s without a server: %v; want ErrUnavailable", name, err)
			}
		}
	})

	t.Run("canceled", func(t *testing.T) {
		p := mustSeeded(t, shop)
		canceled, cancel := context.WithCancel(ctx)
		cancel()
		_, err := p.Order(canceled, "cust-1", "CMD-2026-000004")
		if !errors.Is(err, orders.ErrUnavailable) || !errors.Is(err, context.Canceled) {
			t.Errorf("Order with a canceled context: %v", err)
		}
	})

	for _, test := range []struct {
		url         string
		unavailable bool
	}{
		{"postgres://postgres@127.0.0.1:1/nothing?sslmode=disable&connect_timeout=2", true},
		{"postgres://%zz", false},
		{"not a url = at all", false},
	} {
		p, err := orders.OpenPostgres(ctx, test.url)
		if err == nil {
			p.Close()
			t.Errorf("OpenPostgres(%q) succeeded", test.url)
			continue
		}
		if errors.Is(err, orders.ErrUnavailable) != test.unavailable {
			t.Errorf("OpenPostgres(%q): %v; want ErrUnavailable: %v", test.url, err, test.unavailable)
		}
	}
}

// benchShop is a generated shop of customers and orders: order i, from 1,
// is benchShop.number(i), of the customer benchShop.customer(i), placed 5
// minutes after order i-1, with 2 items when i is even and 3 otherwise.
type benchShop struct{ customers, orders int }

func (s benchShop) number(i int) string { return fmt.Sprintf("CMD-2026-%06d", i) }

func (s benchShop) customer(i int) string { return fmt.Sprintf("cust-%d", (i-1)%s.customers+1) }

// fill writes the shop into the database, with one statement per table.
func (s benchShop) fill(tb testing.TB, pool *pgxpool.Pool) {
	tb.Helper()
	for _, step := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO shop_customers (id, name, email, email_key)
		SELECT 'cust-' || g, 'Client ' || g, 'client' || g || '@example.fr', 'client' || g || '@example.fr'
		FROM generate_series(1, $1::int) g`, []any{s.customers}},
		{`INSERT INTO shop_orders (number, customer_id, placed_at, status, payment_method, payment_state, paid_at,
			subtotal_cents, shipping_cents, total_cents,
			ship_name, ship_line1, ship_postal_code, ship_city, ship_country,
			carrier, tracking_number, shipped_at, invoice_number, invoice_issued_at, invoice_url)
		SELECT 'CMD-2026-' || lpad(g::text, 6, '0'), 'cust-' || ((g - 1) % $1::int + 1),
			timestamptz '2026-01-01 00:00:00+00' + g * interval '5 minutes', 'shipped', 'card', 'paid',
			timestamptz '2026-01-01 00:01:00+00' + g * interval '5 minutes',
			CASE WHEN g % 2 = 0 THEN 1100 ELSE 1800 END, 490, CASE WHEN g % 2 = 0 THEN 1590 ELSE 2290 END,
			'Client ' || g, g || ' rue de la Paix', '75002', 'Paris', 'FR',
			'Colissimo', '6A' || lpad(g::text, 11, '0'), timestamptz '2026-01-02 00:00:00+00' + g * interval '5 minutes',
			'FAC-' || g, timestamptz '2026-01-02 00:00:00+00' + g * interval '5 minutes', 'https://shop.example/f/' || g
		FROM generate_series(1, $2::int) g`, []any{s.customers, s.orders}},
		{`INSERT INTO shop_order_items (order_number, position, sku, name, quantity, unit_price_cents)
		SELECT 'CMD-2026-' || lpad(g::text, 6, '0'), k, 'SKU-' || k, 'Article ' || k, 1, 500 + 100 * k
		FROM generate_series(1, $1::int) g, generate_series(0, 2) k
		WHERE k < 2 + g % 2`, []any{s.orders}},
		{"ANALYZE", nil},
	} {
		if _, err := pool.Exec(tb.Context(), step.sql, step.args...); err != nil {
			tb.Fatalf("fill the database: %v", err)
		}
	}
}

// BenchmarkPostgresOrderLookup looks up orders of random customers among
// 20,000 with 100,000 orders: half Order(customer, number), half
// Orders(customer, 5), one at a time; it reports the median and 99th
// percentile of the calls' durations.
func BenchmarkPostgresOrderLookup(b *testing.B) {
	shop := benchShop{customers: 20_000, orders: 100_000}
	pool := mustPool(b)
	shop.fill(b, pool)
	p := orders.NewPostgres(pool)
	ctx := b.Context()
	rng := rand.New(rand.NewPCG(1, 2))
	perCustomer := shop.orders / shop.customers
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		c := rng.IntN(shop.customers) + 1
		start := time.Now()
		if i%2 == 0 {
			list, err := p.Orders(ctx, shop.customer(c), 5)
			if err != nil || len(list) != perCustomer {
				b.Fatalf("Orders(%s, 5) = %d orders, %v", shop.customer(c), len(list), err)
			}
		} else {
			n := c + shop.customers*rng.IntN(perCustomer)
			o, err := p.Order(ctx, shop.customer(n), shop.number(n))
			if err != nil || len(o.Items) < 2 {
				b.Fatalf("Order(%s, %s) = %+v, %v", shop.customer(n), shop.number(n), o, err)
			}
		}
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(durations)
	ms := func(q float64) float64 {
		return float64(durations[int(q*float64(len(durations)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
	b.ReportMetric(ms(1), "max-ms")
}

// TestBenchShop checks the benchmark's generated data on a small shop.
func TestBenchShop(t *testing.T) {
	shop := benchShop{customers: 20, orders: 100}
	pool := mustPool(t)
	shop.fill(t, pool)
	p := orders.NewPostgres(pool)
	list, err := p.Orders(t.Context(), shop.customer(7), 10)
	var numbers []string
	for _, o := range list {
		numbers = append(numbers, o.Number)
	}
	want := []string{"CMD-2026-000087", "CMD-2026-000067", "CMD-2026-000047", "CMD-2026-000027", "CMD-2026-000007"}
	if err != nil || !reflect.DeepEqual(numbers, want) {
		t.Errorf("Orders(cust-7) = %v, %v; want %v", numbers, err, want)
	}
	o, err := p.Order(t.Context(), shop.customer(8), shop.number(8))
	if err != nil || len(o.Items) != 2 || o.Subtotal != 1100 || o.Total != 1590 || o.TrackingURL == "" || o.Invoice == nil {
		t.Errorf("Order(cust-8, CMD-2026-000008) = %+v, %v", o, err)
	}
	o, err = p.Order(t.Context(), shop.customer(27), shop.number(27))
	if err != nil || len(o.Items) != 3 || o.Subtotal != 1800 {
		t.Errorf("Order(cust-7, CMD-2026-000027) = %+v, %v", o, err)
	}
	if _, err := p.Order(t.Context(), shop.customer(8), shop.number(7)); !errors.Is(err, orders.ErrNotFound) {
		t.Errorf("another customer's order: %v", err)
	}
	// An order without items, which only another program could write.
	if _, err := pool.Exec(t.Context(), "DELETE FROM shop_order_items WHERE order_number = $1", shop.number(8)); err != nil {
		t.Fatal(err)
	}
	o, err = p.Order(t.Context(), shop.customer(8), shop.number(8))
	if err != nil || o.Items != nil || o.Number != shop.number(8) {
		t.Errorf("Order without items = %+v, %v", o, err)
	}
}
