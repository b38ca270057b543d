-- The shop's customers and orders, as the assistant reads them. Amounts
-- are euro cents; the zero time of Go is NULL. Tables start with "shop_"
-- so as not to meet the conversation store's.

CREATE TABLE shop_customers (
    id             text PRIMARY KEY CHECK (id <> ''),
    name           text NOT NULL,
    email          text NOT NULL,
    -- email_key is email trimmed and in lower case, computed by Go (not
    -- by lower(), whose result depends on the database's locale).
    email_key      text NOT NULL,
    credit_cents   bigint NOT NULL DEFAULT 0 CHECK (credit_cents >= 0),
    credit_expires timestamptz
);

CREATE TABLE shop_vouchers (
    code            text PRIMARY KEY,
    customer_id     text NOT NULL REFERENCES shop_customers (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('gift', 'subsidy')),
    label           text NOT NULL DEFAULT '',
    amount_cents    bigint NOT NULL CHECK (amount_cents >= 0),
    remaining_cents bigint NOT NULL CHECK (remaining_cents BETWEEN 0 AND amount_cents),
    expires         timestamptz
);

CREATE INDEX shop_vouchers_customer ON shop_vouchers (customer_id);

CREATE TABLE shop_orders (
    -- number is stored in upper case, as orders.NormalizeNumber gives it,
    -- so that a lookup in any case uses the primary key.
    number            text PRIMARY KEY CHECK (number = upper(number)),
    customer_id       text NOT NULL REFERENCES shop_customers (id) ON DELETE CASCADE,
    placed_at         timestamptz NOT NULL,
    status            text NOT NULL CHECK (status IN ('pending', 'processing', 'shipped', 'delivered', 'cancelled')),
    payment_method    text NOT NULL CHECK (payment_method IN ('card', 'paypal', 'bank_transfer', 'cheque', 'credit', 'voucher')),
    payment_state     text NOT NULL CHECK (payment_state IN ('pending', 'paid', 'refunded', 'failed')),
    paid_at           timestamptz,
    subtotal_cents    bigint NOT NULL CHECK (subtotal_cents >= 0),
    shipping_cents    bigint NOT NULL CHECK (shipping_cents >= 0),
    total_cents       bigint NOT NULL CHECK (total_cents = subtotal_cents + shipping_cents),
    ship_name         text NOT NULL,
    ship_line1        text NOT NULL,
    ship_line2        text NOT NULL DEFAULT '',
    ship_postal_code  text NOT NULL,
    ship_city         text NOT NULL,
    ship_country      text NOT NULL,
    carrier           text NOT NULL DEFAULT '',
    tracking_number   text NOT NULL DEFAULT '',
    -- tracking_url NULL: computed from the carrier and tracking number
    -- when read.
    tracking_url      text,
    shipped_at        timestamptz,
    delivered_at      timestamptz,
    cancelled_at      timestamptz,
    -- The invoice, once issued: all three or none.
    invoice_number    text UNIQUE,
    invoice_issued_at timestamptz,
    invoice_url       text,
    CHECK ((invoice_number IS NULL) = (invoice_issued_at IS NULL))
);

-- A customer's orders, the most recent first, read from the index alone
-- up to the limit.
CREATE INDEX shop_orders_customer ON shop_orders (customer_id, placed_at DESC, number DESC);

CREATE TABLE shop_order_items (
    order_number     text NOT NULL REFERENCES shop_orders (number) ON DELETE CASCADE,
    position         integer NOT NULL,
    sku              text NOT NULL,
    name             text NOT NULL,
    quantity         integer NOT NULL CHECK (quantity > 0),
    unit_price_cents bigint NOT NULL CHECK (unit_price_cents >= 0),
    PRIMARY KEY (order_number, position)
);
