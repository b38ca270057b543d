package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/supportd/supportd/assistant"
)

// askLine is the JSON form of one answer of "supportd ask --json".
type askLine struct {
	Q        string       `json:"q"`
	Route    string       `json:"route"`
	Articles []askArticle `json:"articles"`
	Answer   string       `json:"answer"`
}

type askArticle struct {
	ID         string  `json:"id"`
	Title      string  `json:"title"`
	Score      float64 `json:"score"`
	Confidence float64 `json:"confidence"`
}

func runAsk(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("ask", stderr)
	dir := fs.String("kb", "", "knowledge-base folder (default: the built-in demo)")
	asJSON := fs.Bool("json", false, "print one JSON object per answer")
	customer := fs.String("customer", "", "answer as this verified customer, such as cust-1001 of the demo orders")
	ordersSpec := fs.String("orders", env("SUPPORTD_ORDERS", "demo"), "customers' orders: demo, postgres (ORDERS_DATABASE_URL, else DATABASE_URL) or the path of a YAML fixture")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	src, closeOrders, err := openOrders(ctx, *ordersSpec, env("ORDERS_DATABASE_URL", os.Getenv("DATABASE_URL")))
	if err != nil {
		return err
	}
	defer closeOrders()
	base, err := openKB(*dir, quietLogger(stderr))
	if err != nil {
		return err
	}
	defer base.Close()
	svc, err := assistant.New(assistant.Config{Searcher: base, Orders: src, Logger: quietLogger(stderr)})
	if err != nil {
		return err
	}
	// The command line is trusted: --customer stands for a verified
	// token. The conversation's order carries from line to line.
	who := assistant.Customer{ID: *customer, Verified: map[string]string{}}
	answer := func(q string) error {
		reply, err := svc.Answer(ctx, assistant.Message{Text: q, Customer: who})
		if err != nil {
			return err
		}
		who.Focus = reply.Focus
		if v := reply.Verified; v != nil {
			who.Verified[v.Number] = v.Email
		}
		if *asJSON {
			line := askLine{Q: q, Route: string(reply.Route), Articles: []askArticle{}, Answer: reply.Text}
			for _, a := range reply.Articles {
				line.Articles = append(line.Articles, askArticle{ID: a.ID, Title: a.Title, Score: round3(a.Score), Confidence: round3(a.Confidence)})
			}
			return json.NewEncoder(stdout).Encode(line)
		}
		fmt.Fprintf(stdout, "[%s] %s\n", reply.Route, reply.Text)
		for _, a := range reply.Actions {
			fmt.Fprintf(stdout, "  ( %s )\n", a.Label)
		}
		fmt.Fprintln(stdout)
		return nil
	}
	if fs.NArg() > 0 {
		return answer(strings.Join(fs.Args(), " "))
	}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		q := strings.TrimSpace(sc.Text())
		if q == "" {
			continue
		}
		if err := answer(q); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return nil
		}
	}
	return sc.Err()
}

func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }

// quietLogger logs warnings and errors only, for command-line tools.
func quietLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelError}))
}
