package main

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/supportd/supportd/store"
)

func TestAgentAddAndList(t *testing.T) {
	dir := t.TempDir()
	// --database-url= keeps the embedded store when DATABASE_URL is set.
	out, errOut, err := runCmd(t, "un mot de passe solide\n", "agent", "add", "Zoe.Martin", "--data", dir, "--database-url=", "--name", "Zoé Martin", "--capacity", "4")
	if err != nil {
		t.Fatalf("agent add: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "agent zoe.martin added") {
		t.Errorf("agent add said %q", out)
	}
	// Flags before the login, and the default capacity.
	if _, errOut, err := runCmd(t, "un autre mot de passe", "agent", "add", "--data", dir, "--database-url=", "alex"); err != nil {
		t.Fatalf("agent add alex: %v\n%s", err, errOut)
	}
	for _, test := range []struct {
		stdin string
		args  []string
		want  error
	}{
		{"un mot de passe solide\n", []string{"zoe.martin"}, errFailed}, // taken
		{"court\n", []string{"sam"}, errFailed},                         // password too short
		{"un mot de passe solide\n", []string{"sam tom"}, errUsage},     // bad login
		{"un mot de passe solide\n", []string{"sam", "x"}, errUsage},    // extra argument
		{"un mot de passe solide\n", []string{"sam", "--capacity", "0"}, errUsage},
		{"un mot de passe solide\n", nil, errUsage},
	} {
		args := append([]string{"agent", "add", "--data", dir, "--database-url="}, test.args...)
		if _, _, err := runCmd(t, test.stdin, args...); !errors.Is(err, test.want) {
			t.Errorf("agent add %v: %v, want %v", test.args, err, test.want)
		}
	}
	out, errOut, err = runCmd(t, "", "agent", "list", "--data", dir, "--database-url=")
	if err != nil {
		t.Fatalf("agent list: %v\n%s", err, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "alex ") || !strings.Contains(lines[1], " 3 ") ||
		!strings.HasPrefix(lines[2], "zoe.martin") || !strings.Contains(lines[2], "Zoé Martin") || !strings.Contains(lines[2], " 4 ") {
		t.Errorf("agent list:\n%s", out)
	}

	st, err := store.OpenBolt(filepath.Join(dir, "supportd.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := st.Agent(t.Context(), "zoe.martin")
	if err != nil {
		t.Fatal(err)
	}
	if bcrypt.CompareHashAndPassword(a.PasswordHash, []byte("un mot de passe solide")) != nil {
		t.Error("the stored hash does not match the password")
	}
	if cost, err := bcrypt.Cost(a.PasswordHash); err != nil || cost != 12 {
		t.Errorf("bcrypt cost %d, %v; want 12", cost, err)
	}
}
