package kb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func article(id, title, body string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte("---\nid: " + id + "\ntitle: " + title + "\n---\n" + body + "\n")}
}

// TestLoadBadInput puts every kind of broken file in one folder: each is
// reported with its file and line, and the good articles are still served.
func TestLoadBadInput(t *testing.T) {
	fsys := fstest.MapFS{
		"ok/remboursement.md": article("rembourse", "Quand serai-je remboursé ?", "Sous 14 jours, voir [le retour](retour.md)\net [ailleurs](../absent.md)."),
		"ok/retour.md":        article("retour", "Retourner un article", "Vous avez 14 jours."),
		"bad/yaml.md":         {Data: []byte("---\ntitle: [oops\n---\nTexte\n")},
		"bad/binary.md":       {Data: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")},
		"bad/huge.md":         {Data: []byte("---\ntitle: Énorme\n---\n" + strings.Repeat("bla ", 10<<20/4))},
		"bad/latin1.md":       {Data: []byte("---\ntitle: R\xe9sum\xe9\n---\nTexte\n")},
		"bad/duplicate.md":    article("retour", "Un autre retour", "Même id."),
		"bad/notitle.md":      {Data: []byte("---\ncategory: x\n---\nTexte sans titre.\n")},
		"bad/empty.md":        {Data: []byte("---\ntitle: Vide\n---\n\n")},
		"bad/lang.md":         {Data: []byte("---\ntitle: Hallo\nlang: de\n---\nText.\n")},
		".git/ignored.md":     {Data: []byte("not an article")},
		"notes.txt":           {Data: []byte("not markdown")},
		SynonymsFile:          {Data: []byte("synonyms:\n  - [rembourser, refund]\n  - [seul]\n")},
	}
	c, problems, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	want := []string{
		"bad/binary.md:1: binary file",
		"bad/empty.md:4: empty body",
		"bad/huge.md:1: file too large",
		"bad/lang.md:3: unknown lang",
		"bad/latin1.md:2: not valid UTF-8",
		"bad/notitle.md:1: missing title",
		"bad/yaml.md:2: bad front matter",
		`ok/retour.md:1: duplicate id "retour" (already used by bad/duplicate.md)`,
		`ok/remboursement.md:6: link to a missing article "../absent.md"`,
		"synonyms.yaml:3: a synonym group needs at least two words",
	}
	if len(got) != len(want) {
		t.Fatalf("problems:\n%s\nwant %d", strings.Join(got, "\n"), len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d = %q, want prefix %q", i, got[i], want[i])
		}
	}
	ids := map[string]bool{}
	for _, a := range c.Published() {
		ids[a.ID] = true
	}
	// Of two files with one id, the first in path order is served.
	for _, id := range []string{"rembourse", "retour", "bad/notitle", "bad/empty", "bad/lang"} {
		if !ids[id] {
			t.Errorf("article %q not served; served: %v", id, ids)
		}
	}
	if len(c.Synonyms) != 1 {
		t.Errorf("synonyms = %v", c.Synonyms)
	}
	ix, err := Build(c)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	hits, err := ix.Search(t.Context(), "refund", 3)
	if err != nil || len(hits) == 0 || hits[0].Article.ID != "rembourse" {
		t.Errorf("search with the folder's own synonym: %v %v", hits, err)
	}
}

func TestLoadMissingFolder(t *testing.T) {
	if _, _, err := Load(fstest.MapFS{}); err != nil {
		t.Errorf("an empty folder is not an error: %v", err)
	}
}

// TestLoadStaysInTheFolder: a symbolic link, to a file or a folder out of
// the knowledge base, is not followed, and an id that would climb out of
// a path is refused; kb check names both.
func TestLoadStaysInTheFolder(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.md"), []byte("---\ntitle: Secret\n---\nroot:x:0:0\n"), 0o644)
	os.WriteFile(filepath.Join(outside, "synonyms.yaml"), []byte("synonyms:\n  - [a, b]\n"), 0o644)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ok.md"), []byte("---\ntitle: OK\n---\nCorps.\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "climb.md"), []byte("---\nid: ../../etc/passwd\ntitle: Climb\n---\nCorps.\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "abs.md"), []byte("---\nid: /etc\ntitle: Abs\n---\nCorps.\n"), 0o644)
	for _, link := range [][2]string{{filepath.Join(outside, "secret.md"), "linked.md"}, {outside, "sub"}, {filepath.Join(outside, "synonyms.yaml"), "synonyms.yaml"}} {
		if err := os.Symlink(link[0], filepath.Join(dir, link[1])); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	c, problems, err := Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range c.Articles {
		ids = append(ids, a.ID)
	}
	if len(ids) != 1 || ids[0] != "ok" || len(c.Synonyms) != 0 {
		t.Errorf("articles %v, synonyms %v; want only ok", ids, c.Synonyms)
	}
	var msgs []string
	for _, p := range problems {
		msgs = append(msgs, p.String())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"linked.md:1: symbolic link", "sub:1: symbolic link", "synonyms.yaml:1: symbolic link", `climb.md:2: bad id "../../etc/passwd"`, `abs.md:2: bad id "/etc"`} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
	for _, id := range []string{"a", "livraison/delais", "faq.v2_x-y"} {
		if !ValidID(id) {
			t.Errorf("ValidID(%q) = false", id)
		}
	}
	for _, id := range []string{"", "..", "a/../b", "a//b", "a/", "é", "a b", "a\\b", strings.Repeat("a", 201)} {
		if ValidID(id) {
			t.Errorf("ValidID(%q) = true", id)
		}
	}
}
