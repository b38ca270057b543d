package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supportd/supportd/kb"
	"github.com/supportd/supportd/store"
)

// TestKBLearned: the phrasings recorded from conversations are listed per
// article; an accepted one is added to its article's questions in the
// markdown file, one line and nothing else; a rejected one is listed no
// more.
func TestKBLearned(t *testing.T) {
	data := t.TempDir()
	st, err := store.OpenBolt(filepath.Join(data, "supportd.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []store.Phrasing{
		{ArticleID: "livraison-delais", Text: "c'est long pour que ça arrive à Lyon ?", Source: store.PhrasingFromVote},
		{ArticleID: "livraison-delais", Text: "vous livrez la Lune ?", Source: store.PhrasingFromAgent},
	} {
		if err := st.AddPhrasing(context.Background(), &p); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	dir := t.TempDir()
	if err := os.CopyFS(dir, demoKB()); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "livraison", "delais.md")
	before, _ := os.ReadFile(file)

	out, stderr, err := runCmd(t, "", "kb", "learned", "--data", data, "--database-url=")
	if err != nil || !strings.Contains(out, "livraison-delais\n") || !strings.Contains(out, `"c'est long pour que ça arrive à Lyon ?"`) || !strings.Contains(out, "vote") {
		t.Fatalf("list: %v\n%s%s", err, out, stderr)
	}
	out, stderr, err = runCmd(t, "", "kb", "learned", "--data", data, "--database-url=", "accept", "1", "--kb", dir)
	if err != nil || !strings.Contains(out, "phrasing 1 accepted") {
		t.Fatalf("accept: %v\n%s%s", err, out, stderr)
	}
	after, _ := os.ReadFile(file)
	if got := len(strings.Split(string(after), "\n")) - len(strings.Split(string(before), "\n")); got != 1 {
		t.Errorf("accepting added %d lines:\n%s", got, after)
	}
	a, _ := kb.ParseArticle("livraison/delais.md", after)
	if a == nil || a.Questions[len(a.Questions)-1] != "c'est long pour que ça arrive à Lyon ?" {
		t.Errorf("questions after accept: %+v", a)
	}
	if _, _, err := runCmd(t, "", "kb", "learned", "--data", data, "--database-url=", "reject", "2"); err != nil {
		t.Fatalf("reject: %v", err)
	}
	if _, _, err := runCmd(t, "", "kb", "learned", "--data", data, "--database-url=", "accept", "2", "--kb", dir); err == nil {
		t.Error("a rejected phrasing was accepted")
	}
	out, _, _ = runCmd(t, "", "kb", "learned", "--data", data, "--database-url=")
	if !strings.Contains(out, "no phrasing to review") {
		t.Errorf("list after the decisions:\n%s", out)
	}
	out, _, _ = runCmd(t, "", "kb", "learned", "--data", data, "--database-url=", "--all")
	if !strings.Contains(out, "accepted") || !strings.Contains(out, "rejected") {
		t.Errorf("list --all:\n%s", out)
	}
	if _, _, err := runCmd(t, "", "kb", "learned", "--data", data, "--database-url=", "accept", "1"); err == nil {
		t.Error("accept without --kb")
	}
}
