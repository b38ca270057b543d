package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/term"

	"github.com/supportd/supportd/store"
	"github.com/supportd/supportd/web"
)

// runAgent runs "supportd agent add|list".
func runAgent(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	var c serveConfig
	fs := newFlagSet("agent "+args[0], stderr)
	storeFlags(fs, &c)
	switch args[0] {
	case "add":
		name := fs.String("name", "", "the agent's name, shown to customers")
		capacity := fs.Int("capacity", store.DefaultCapacity, "how many conversations the agent takes at once")
		admin := fs.Bool("admin", false, "the agent is an admin, who also manages the agents at /agent/admin and reads the editors' page")
		editor := fs.Bool("editor", false, "the agent is an editor, who also reads the editors' page, /agent/editors (docs/reports.md)")
		// The login may come before or after the flags.
		if err := fs.Parse(args[1:]); err != nil || fs.NArg() == 0 {
			return errUsage
		}
		login := fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil || fs.NArg() > 0 {
			return errUsage
		}
		if !store.ValidLogin(login) {
			fmt.Fprintln(stderr, "supportd agent add: a login is 1 to 64 characters among a-z, 0-9, '.', '_' and '-'")
			return errUsage
		}
		if *capacity < 1 {
			fmt.Fprintln(stderr, "supportd agent add: --capacity must be at least 1")
			return errUsage
		}
		password, err := readPassword(stdin, stderr)
		if err != nil {
			return err
		}
		if utf8.RuneCountInString(password) < web.MinPasswordLength {
			fmt.Fprintf(stderr, "supportd agent add: the password must have at least %d characters\n", web.MinPasswordLength)
			return errFailed
		}
		hash, err := bcrypt.GenerateFromPassword([]byte(password), web.PasswordCost)
		if err != nil {
			return fmt.Errorf("hash the password: %w", err)
		}
		agents, closeStore, err := openAgents(ctx, c)
		if err != nil {
			return err
		}
		defer closeStore()
		a := &store.Agent{Login: login, Name: *name, PasswordHash: hash, Capacity: *capacity, Role: store.RoleAgent}
		switch {
		case *admin:
			a.Role = store.RoleAdmin
		case *editor:
			a.Role = store.RoleEditor
		}
		if err := agents.AddAgent(ctx, a); errors.Is(err, store.ErrExists) {
			fmt.Fprintf(stderr, "supportd agent add: the login %q is taken\n", strings.ToLower(login))
			return errFailed
		} else if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "agent %s added\n", a.Login)
		return nil
	case "list":
		if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
			return errUsage
		}
		agents, closeStore, err := openAgents(ctx, c)
		if err != nil {
			return err
		}
		defer closeStore()
		list, err := agents.ListAgents(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LOGIN\tNAME\tCAPACITY\tROLE\tSTATUS\tCREATED")
		for _, a := range list {
			status := "active"
			if a.Disabled {
				status = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", a.Login, a.Name, a.Capacity, a.Role, status, a.CreatedAt.Format("2006-01-02 15:04"))
		}
		return tw.Flush()
	}
	fmt.Fprint(stderr, usage)
	return errUsage
}

// openAgents opens the store as serve does, and returns its agents.
func openAgents(ctx context.Context, c serveConfig) (store.Agents, func(), error) {
	st, err := openStore(ctx, c)
	if err != nil {
		return nil, nil, fmt.Errorf("open store: %w", err)
	}
	return st, func() { st.Close() }, nil
}

// readPassword reads one line of stdin. At a terminal it prompts on
// stderr and does not echo what is typed.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(stderr, "Mot de passe (%d caractères au moins) : ", web.MinPasswordLength)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
