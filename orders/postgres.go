package orders

import (
	"context"
	"embed"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/supportd/supportd/internal/pgschema"
)

// Postgres is a [Source] reading the tables of [Migrate] in a PostgreSQL
// database: shop_customers, shop_vouchers, shop_orders and
// shop_order_items. Each of its lookups is one query.
type Postgres struct {
	pool  *pgxpool.Pool
	owned bool // Close closes pool
}

// NewPostgres returns a [Source] reading the database of pool, which may
// be shared with other packages. The caller applies [Migrate] and closes
// the pool.
func NewPostgres(pool *pgxpool.Pool) *Postgres {
	return &Postgres{pool: pool}
}

// OpenPostgres connects to the database at url (a postgres:// URL or a
// key=value connection string, as pgx reads them, pool_max_conns
// included), applies [Migrate]'s migrations, and returns a [Source] whose
// Close closes its connections. An unreachable server gives an error
// wrapping [ErrUnavailable].
func OpenPostgres(ctx context.Context, url string) (*Postgres, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("orders: database url: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, errPostgres("connect", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, errPostgres("connect", err)
	}
	if _, err := Migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &Postgres{pool: pool, owned: true}, nil
}

// Close closes the connections of a Postgres from [OpenPostgres]; it does
// nothing to the pool given to [NewPostgres].
func (p *Postgres) Close() {
	if p.owned {
		p.pool.Close()
	}
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrate creates or updates the orders' tables in the database of db (a
// pool or a connection) with the migrations of orders/migrations it has
// not applied yet, and returns their versions, such as
// "orders_0001_init"; see [pgschema.Migrate]. Errors wrap
// [ErrUnavailable].
func Migrate(ctx context.Context, db pgschema.Beginner) ([]string, error) {
	applied, err := pgschema.Migrate(ctx, db, migrationFiles, "migrations", "orders_")
	if err != nil {
		return applied, errPostgres("migrate", err)
	}
	return applied, nil
}

// errPostgres wraps an error of pgx in ErrUnavailable.
func errPostgres(op string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, op, err)
}

// validText reports whether s can match a key: PostgreSQL cannot compare
// a string that is not valid UTF-8 or holds a NUL byte, and an empty one
// matches nothing.
func validText(s string) bool {
	return s != "" && utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// nullTime is t for a timestamptz parameter, or NULL for the zero time.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// fromNull returns the time of a nullable timestamptz column in UTC, or
// the zero time for NULL.
func fromNull(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// Account implements [Source], in one query.
func (p *Postgres) Account(ctx context.Context, customerID string) (Account, error) {
	notFound := fmt.Errorf("account %q: %w", customerID, ErrNotFound)
	if !validText(customerID) {
		return Account{}, notFound
	}
	rows, err := p.pool.Query(ctx, `
		SELECT c.id, c.name, c.email, c.credit_cents, c.credit_expires,
			v.code, v.kind, v.label, v.amount_cents, v.remaining_cents, v.expires
		FROM shop_customers c LEFT JOIN shop_vouchers v ON v.customer_id = c.id
		WHERE c.id = $1
		ORDER BY v.code`, customerID)
	if err != nil {
		return Account{}, errPostgres("get account", err)
	}
	var (
		a     Account
		found bool
	)
	for rows.Next() {
		var (
			expires, vExpires   *time.Time
			code, kind, label   *string
			vAmount, vRemaining *int64
		)
		if err := rows.Scan(&a.CustomerID, &a.Name, &a.Email, &a.Credit, &expires,
			&code, &kind, &label, &vAmount, &vRemaining, &vExpires); err != nil {
			rows.Close()
			return Account{}, errPostgres("get account", err)
		}
		found = true
		a.CreditExpires = fromNull(expires)
		if code != nil {
			a.Vouchers = append(a.Vouchers, Voucher{
				Code:      *code,
				Kind:      VoucherKind(*kind),
				Label:     *label,
				Amount:    Money(*vAmount),
				Remaining: Money(*vRemaining),
				Expires:   fromNull(vExpires),
			})
		}
	}
	if err := rows.Err(); err != nil {
		return Account{}, errPostgres("get account", err)
	}
	if !found {
		return Account{}, notFound
	}
	return a, nil
}

// orderColumns are the columns of an order and of its items that
// scanOrders reads, from shop_orders o LEFT JOIN shop_order_items i.
const orderColumns = `o.number, o.customer_id, o.placed_at, o.status,
	o.payment_method, o.payment_state, o.paid_at,
	o.subtotal_cents, o.shipping_cents, o.total_cents,
	o.ship_name, o.ship_line1, o.ship_line2, o.ship_postal_code, o.ship_city, o.ship_country,
	o.carrier, o.tracking_number, o.tracking_url,
	o.shipped_at, o.delivered_at, o.cancelled_at,
	o.invoice_number, o.invoice_issued_at, o.invoice_url,
	i.sku, i.name, i.quantity, i.unit_price_cents`

// scanOrders reads the rows of orders and their items, each order's rows
// together and its items in order, and closes rows.
func scanOrders(rows pgx.Rows) ([]Order, error) {
	defer rows.Close()
	var orders []Order
	for rows.Next() {
		var (
			o                                      Order
			paidAt, shippedAt, deliveredAt         *time.Time
			cancelledAt, invoiceIssuedAt           *time.Time
			trackingURL, invoiceNumber, invoiceURL *string
			sku, name                              *string
			quantity                               *int32
			unitPrice                              *int64
		)
		err := rows.Scan(&o.Number, &o.CustomerID, &o.PlacedAt, &o.Status,
			&o.Payment.Method, &o.Payment.State, &paidAt,
			&o.Subtotal, &o.ShippingCost, &o.Total,
			&o.ShippingAddress.Name, &o.ShippingAddress.Line1, &o.ShippingAddress.Line2,
			&o.ShippingAddress.PostalCode, &o.ShippingAddress.City, &o.ShippingAddress.Country,
			&o.Carrier, &o.TrackingNumber, &trackingURL,
			&shippedAt, &deliveredAt, &cancelledAt,
			&invoiceNumber, &invoiceIssuedAt, &invoiceURL,
			&sku, &name, &quantity, &unitPrice)
		if err != nil {
			return nil, err
		}
		if n := len(orders); n == 0 || orders[n-1].Number != o.Number {
			o.PlacedAt = o.PlacedAt.UTC()
			o.Payment.PaidAt = fromNull(paidAt)
			o.ShippedAt = fromNull(shippedAt)
			o.DeliveredAt = fromNull(deliveredAt)
			o.CancelledAt = fromNull(cancelledAt)
			if trackingURL != nil {
				o.TrackingURL = *trackingURL
			} else {
				o.TrackingURL = TrackingURL(o.Carrier, o.TrackingNumber)
			}
			if invoiceNumber != nil {
				o.Invoice = &Invoice{Number: *invoiceNumber, IssuedAt: fromNull(invoiceIssuedAt)}
				if invoiceURL != nil {
					o.Invoice.URL = *invoiceURL
				}
			}
			orders = append(orders, o)
		}
		if sku != nil {
			last := &orders[len(orders)-1]
			last.Items = append(last.Items, Item{SKU: *sku, Name: *name, Quantity: int(*quantity), UnitPrice: Money(*unitPrice)})
		}
	}
	return orders, rows.Err()
}

// oneOrder returns the order of a query for one, or ErrNotFound.
func (p *Postgres) oneOrder(ctx context.Context, number, sql string, args ...any) (Order, error) {
	rows, err := p.pool.Query(ctx, sql, args...)
	if err != nil {
		return Order{}, errPostgres("get order", err)
	}
	orders, err := scanOrders(rows)
	if err != nil {
		return Order{}, errPostgres("get order", err)
	}
	if len(orders) == 0 {
		return Order{}, fmt.Errorf("order %q: %w", number, ErrNotFound)
	}
	return orders[0], nil
}

// Orders implements [Source], in one query.
func (p *Postgres) Orders(ctx context.Context, customerID string, limit int) ([]Order, error) {
	if !validText(customerID) || limit < 1 {
		return nil, nil
	}
	rows, err := p.pool.Query(ctx, `
		SELECT `+orderColumns+`
		FROM (SELECT * FROM shop_orders
			WHERE customer_id = $1
			ORDER BY placed_at DESC, number DESC
			LIMIT $2) o
		LEFT JOIN shop_order_items i ON i.order_number = o.number
		ORDER BY o.placed_at DESC, o.number DESC, i.position`, customerID, limit)
	if err != nil {
		return nil, errPostgres("list orders", err)
	}
	orders, err := scanOrders(rows)
	if err != nil {
		return nil, errPostgres("list orders", err)
	}
	return orders, nil
}

// Order implements [Source], in one query that finds the order only with
// both its number and its customer: another customer's order and a
// nonexistent one take the same path.
func (p *Postgres) Order(ctx context.Context, customerID, number string) (Order, error) {
	n, ok := NormalizeNumber(number)
	if !ok || !validText(customerID) {
		return Order{}, fmt.Errorf("order %q: %w", number, ErrNotFound)
	}
	return p.oneOrder(ctx, number, `
		SELECT `+orderColumns+`
		FROM shop_orders o LEFT JOIN shop_order_items i ON i.order_number = o.number
		WHERE o.number = $1 AND o.customer_id = $2
		ORDER BY i.position`, n, customerID)
}

// OrderByEmail implements [Source], in one query that finds the order only
// with both its number and its customer's email.
func (p *Postgres) OrderByEmail(ctx context.Context, number, email string) (Order, error) {
	n, ok := NormalizeNumber(number)
	e := normalizeEmail(email)
	if !ok || !validText(e) {
		return Order{}, fmt.Errorf("order %q: %w", number, ErrNotFound)
	}
	return p.oneOrder(ctx, number, `
		SELECT `+orderColumns+`
		FROM shop_orders o
		JOIN shop_customers c ON c.id = o.customer_id
		LEFT JOIN shop_order_items i ON i.order_number = o.number
		WHERE o.number = $1 AND c.email_key = $2
		ORDER BY i.position`, n, e)
}

// Seed writes the customers and orders of f into the database, in one
// transaction: it inserts those missing and overwrites those present, with
// their vouchers and items, and leaves the database's other customers and
// orders alone. Seeding the same fixture twice leaves the same data.
// Errors wrap [ErrUnavailable].
func (p *Postgres) Seed(ctx context.Context, f *Fixture) error {
	var b pgx.Batch
	for _, a := range f.customers {
		b.Queue(`
			INSERT INTO shop_customers (id, name, email, email_key, credit_cents, credit_expires)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (id) DO UPDATE SET name = $2, email = $3, email_key = $4,
				credit_cents = $5, credit_expires = $6`,
			a.CustomerID, a.Name, a.Email, normalizeEmail(a.Email), int64(a.Credit), nullTime(a.CreditExpires))
		b.Queue("DELETE FROM shop_vouchers WHERE customer_id = $1", a.CustomerID)
		for _, v := range a.Vouchers {
			// A voucher may have moved from another customer.
			b.Queue(`
				INSERT INTO shop_vouchers (code, customer_id, kind, label, amount_cents, remaining_cents, expires)
				VALUES ($1, $2, $3, $4, $5, $6, $7)
				ON CONFLICT (code) DO UPDATE SET customer_id = $2, kind = $3, label = $4,
					amount_cents = $5, remaining_cents = $6, expires = $7`,
				v.Code, a.CustomerID, string(v.Kind), v.Label, int64(v.Amount), int64(v.Remaining), nullTime(v.Expires))
		}
	}
	for _, o := range f.orders {
		var invoiceNumber, invoiceURL *string
		var invoiceIssued any
		if o.Invoice != nil {
			invoiceNumber, invoiceURL = &o.Invoice.Number, &o.Invoice.URL
			invoiceIssued = nullTime(o.Invoice.IssuedAt)
		}
		b.Queue(`
			INSERT INTO shop_orders (number, customer_id, placed_at, status,
				payment_method, payment_state, paid_at,
				subtotal_cents, shipping_cents, total_cents,
				ship_name, ship_line1, ship_line2, ship_postal_code, ship_city, ship_country,
				carrier, tracking_number, tracking_url,
				shipped_at, delivered_at, cancelled_at,
				invoice_number, invoice_issued_at, invoice_url)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
				$17, $18, $19, $20, $21, $22, $23, $24, $25)
			ON CONFLICT (number) DO UPDATE SET customer_id = $2, placed_at = $3, status = $4,
				payment_method = $5, payment_state = $6, paid_at = $7,
				subtotal_cents = $8, shipping_cents = $9, total_cents = $10,
				ship_name = $11, ship_line1 = $12, ship_line2 = $13,
				ship_postal_code = $14, ship_city = $15, ship_country = $16,
				carrier = $17, tracking_number = $18, tracking_url = $19,
				shipped_at = $20, delivered_at = $21, cancelled_at = $22,
				invoice_number = $23, invoice_issued_at = $24, invoice_url = $25`,
			o.Number, o.CustomerID, o.PlacedAt, string(o.Status),
			string(o.Payment.Method), string(o.Payment.State), nullTime(o.Payment.PaidAt),
			int64(o.Subtotal), int64(o.ShippingCost), int64(o.Total),
			o.ShippingAddress.Name, o.ShippingAddress.Line1, o.ShippingAddress.Line2,
			o.ShippingAddress.PostalCode, o.ShippingAddress.City, o.ShippingAddress.Country,
			o.Carrier, o.TrackingNumber, o.TrackingURL,
			nullTime(o.ShippedAt), nullTime(o.DeliveredAt), nullTime(o.CancelledAt),
			invoiceNumber, invoiceIssued, invoiceURL)
		b.Queue("DELETE FROM shop_order_items WHERE order_number = $1", o.Number)
		for k, it := range o.Items {
			b.Queue(`
				INSERT INTO shop_order_items (order_number, position, sku, name, quantity, unit_price_cents)
				VALUES ($1, $2, $3, $4, $5, $6)`,
				o.Number, k, it.SKU, it.Name, it.Quantity, int64(it.UnitPrice))
		}
	}
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		return tx.SendBatch(ctx, &b).Close()
	})
	if err != nil {
		return errPostgres("seed", err)
	}
	return nil
}
