// Command supportd is a self-hosted customer-support assistant: it answers
// customers from the shop's markdown FAQ and hands them to people when it
// cannot help.
//
// Usage:
//
//	supportd serve [flags]
//	supportd migrate
//	supportd ask [--kb DIR] [--json] [--customer ID] [MESSAGE]
//	supportd demo seed
//	supportd agent add LOGIN [--name NAME] [--capacity N]
//	supportd agent list
//	supportd kb check DIR
//	supportd kb eval --kb DIR --cases FILE [--folds K] [--train KB:CASES] [--learn CASES]
//	supportd kb fit --set KB:CASES ...
//	supportd kb learned [--all] | accept ID --kb DIR | reject ID
//	supportd kb report [--since 7d] [--format text|csv] [--what unanswered|articles|daily|weekly]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `supportd — a self-hosted customer-support assistant.

Usage:
  supportd serve [flags]                       run the chat server (supportd serve -h lists the flags)
  supportd migrate                             apply the PostgreSQL migrations (DATABASE_URL)
  supportd ask [--kb DIR] [--json] [--customer ID] [MESSAGE]
                                               answer MESSAGE, or each line of standard input,
                                               as the demo customer ID if given
  supportd demo seed                           load the demo customers and orders into PostgreSQL
  supportd agent add LOGIN [--name NAME] [--capacity N] [--admin | --editor]
                                               add an agent (an admin also manages the agents at
                                               /agent/admin), whose password is read from standard input
  supportd agent list                          list the agents (both take --data DIR or DATABASE_URL, as serve)
  supportd customer export ID                  a verified customer's conversations, as JSON (GDPR access)
  supportd customer forget ID                  delete them, with their email requests (GDPR erasure)
  supportd kb check DIR                        report the problems of a knowledge-base folder
  supportd kb eval --kb DIR --cases FILE       score the assistant on labelled messages
                                               (--folds K, --train KB:CASES, --learn CASES: docs/assistant.md)
  supportd kb fit --set KB:CASES ...           fit the answer model on labelled sets, printed as Go
  supportd kb learned [--all]                  list the phrasings customers gave the articles
  supportd kb learned accept ID --kb DIR       add one to its article's questions (in its markdown file)
  supportd kb learned reject ID                never propose it again
  supportd kb report [--since 7d] [--format text|csv] [--what unanswered|articles|daily|weekly]
                                               the questions left unanswered, grouped, each article's
                                               views and votes, the resolution rate (docs/reports.md)

Without --kb, supportd uses its built-in French demo knowledge base.
`

// errUsage is returned for a command line that cannot be understood; the
// usage has been printed.
var errUsage = errors.New("usage")

// errFailed means the command has already reported why it failed.
var errFailed = errors.New("failed")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, errUsage):
		os.Exit(2)
	case errors.Is(err, errFailed):
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "supportd:", err)
		os.Exit(1)
	}
}

// run executes one command line.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "migrate":
		return runMigrate(ctx, args[1:], stdout, stderr)
	case "ask":
		return runAsk(ctx, args[1:], stdin, stdout, stderr)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "agent":
		return runAgent(ctx, args[1:], stdin, stdout, stderr)
	case "customer":
		return runCustomer(ctx, args[1:], stdout, stderr)
	case "kb":
		if len(args) < 2 {
			break
		}
		switch args[1] {
		case "check":
			return runCheck(args[2:], stdout, stderr)
		case "eval":
			return runEval(ctx, args[2:], stdout, stderr)
		case "fit":
			return runFit(ctx, args[2:], stdout, stderr)
		case "learned":
			return runLearned(ctx, args[2:], stdout, stderr)
		case "report":
			return runReport(ctx, args[2:], stdout, stderr)
		}
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return errUsage
}

// newFlagSet returns a flag set that reports errors to stderr.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}
