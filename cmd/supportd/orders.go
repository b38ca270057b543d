package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/supportd/supportd/identity"
	"github.com/supportd/supportd/orders"
	"github.com/supportd/supportd/web"
)

// demoOrders is the built-in fixture of demo customers and orders.
func demoOrders() *orders.Fixture {
	data, err := demoFiles.ReadFile("demo/orders.yaml")
	if err != nil {
		panic(err)
	}
	f, err := orders.LoadFixture(bytes.NewReader(data))
	if err != nil {
		panic("the built-in demo orders are broken: " + err.Error())
	}
	return f
}

// openOrders opens the orders source that spec names: "demo" (the built-in
// fixture), "postgres" (the tables of the database at databaseURL, filled
// by "supportd demo seed" or by the shop), or the path of a YAML fixture.
// close releases it.
func openOrders(ctx context.Context, spec, databaseURL string) (src orders.Source, close func(), err error) {
	switch spec {
	case "", "demo":
		return demoOrders(), func() {}, nil
	case "postgres":
		if databaseURL == "" {
			return nil, nil, fmt.Errorf("--orders postgres needs ORDERS_DATABASE_URL or DATABASE_URL")
		}
		pg, err := orders.OpenPostgres(ctx, databaseURL)
		if err != nil {
			return nil, nil, fmt.Errorf("orders: %w", err)
		}
		return pg, pg.Close, nil
	}
	file, err := os.Open(spec)
	if err != nil {
		return nil, nil, fmt.Errorf("orders: %w", err)
	}
	defer file.Close()
	f, err := orders.LoadFixture(file)
	if err != nil {
		return nil, nil, fmt.Errorf("orders %s: %w", spec, err)
	}
	return f, func() {}, nil
}

// customerVerifier returns the verifier of the shop's customer tokens,
// signed with secret. With demo logins and no secret, it makes a random
// one: the demo page, which signs the tokens, is then the only shop.
// Without either it returns nil: every visitor is anonymous.
func customerVerifier(secret string, demoLogins bool) (*identity.Verifier, error) {
	if secret == "" {
		if !demoLogins {
			return nil, nil
		}
		random := make([]byte, 32)
		rand.Read(random)
		secret = string(random)
	}
	return identity.NewVerifier([]byte(secret))
}

// demoLogins lists the customers of the demo fixture for the demo page,
// and signs their tokens for an hour.
func demoLogins(f *orders.Fixture, v *identity.Verifier) ([]web.DemoCustomer, func(string) (string, error)) {
	var list []web.DemoCustomer
	byID := map[string]orders.Account{}
	for _, a := range f.Customers() {
		list = append(list, web.DemoCustomer{ID: a.CustomerID, Name: a.Name})
		byID[a.CustomerID] = a
	}
	sign := func(id string) (string, error) {
		a, ok := byID[id]
		if !ok {
			return "", fmt.Errorf("no demo customer %q", id)
		}
		return v.Sign(identity.Customer{ID: a.CustomerID, Name: a.Name, Email: a.Email, Expires: time.Now().Add(time.Hour)})
	}
	return list, sign
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "seed" {
		fmt.Fprintln(stderr, "usage: supportd demo seed [--database-url URL]")
		return errUsage
	}
	fs := newFlagSet("demo seed", stderr)
	url := fs.String("database-url", env("ORDERS_DATABASE_URL", os.Getenv("DATABASE_URL")), "PostgreSQL URL (ORDERS_DATABASE_URL, else DATABASE_URL)")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		return errUsage
	}
	if *url == "" {
		fmt.Fprintln(stderr, "supportd demo seed: set DATABASE_URL or --database-url")
		return errUsage
	}
	pg, err := orders.OpenPostgres(ctx, *url)
	if err != nil {
		return err
	}
	defer pg.Close()
	f := demoOrders()
	if err := pg.Seed(ctx, f); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %d demo customers and %d orders; run supportd serve --orders postgres --demo-logins on\n", len(f.Customers()), len(f.AllOrders()))
	return nil
}
