package kb

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// sameIndex fails the test unless got, an index updated edit by edit,
// counts and answers as want, an index built from scratch of the same
// files, does.
func sameIndex(t *testing.T, step string, got, want *Index, queries []string) {
	t.Helper()
	if len(got.entries) != len(want.entries) {
		t.Fatalf("%s: %d articles, want %d", step, len(got.entries), len(want.entries))
	}
	if !maps.Equal(got.df, want.df) {
		t.Fatalf("%s: the document frequencies differ from a full build", step)
	}
	if !maps.EqualFunc(got.vocab, want.vocab, maps.Equal) {
		t.Fatalf("%s: the vocabularies differ from a full build", step)
	}
	if got.totalLength != want.totalLength {
		t.Fatalf("%s: total length %v, want %v", step, got.totalLength, want.totalLength)
	}
	g, w := slices.Clone(got.langs), slices.Clone(want.langs)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Fatalf("%s: languages %v, want %v", step, g, w)
	}
	ctx := context.Background()
	for _, q := range queries {
		gh, err := got.Search(ctx, q, 3)
		if err != nil {
			t.Fatal(err)
		}
		wh, err := want.Search(ctx, q, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(gh) != len(wh) {
			t.Fatalf("%s: %q: %d hits, want %d", step, q, len(gh), len(wh))
		}
		for i := range gh {
			if gh[i].Article.ID != wh[i].Article.ID || math.Abs(gh[i].Score-wh[i].Score) > 1e-5 || gh[i].Snippet != wh[i].Snippet {
				t.Fatalf("%s: %q: hit %d is %s (%.6f), want %s (%.6f)", step, q, i, gh[i].Article.ID, gh[i].Score, wh[i].Article.ID, wh[i].Score)
			}
		}
	}
}

// fullBuild builds the index of a folder from scratch.
func fullBuild(t *testing.T, dir string) *Index {
	t.Helper()
	c, _, err := Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Build(c)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// current returns the index a Base serves.
func current(b *Base) *Index { return b.cur.Load().ix }

// TestIncrementalMatchesFullBuild edits a folder of 300 articles 40
// times at random (change, add, delete, draft, language, links,
// synonyms), and after each edit compares the index the Base updated
// with one built from scratch: the same counts, the same hits.
func TestIncrementalMatchesFullBuild(t *testing.T) {
	files := generateKB(300, 7)
	dir := writeKB(t, files)
	b, err := Open(Config{Dir: dir, Logger: quietLogger(), IndexDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	names := slices.Sorted(maps.Keys(files))
	r := rand.New(rand.NewPCG(3, 3))
	queries := append(slices.Clone(genQueries), "nouveauté exclusive", "comand livraizon", "delivery refund")
	write := func(name, data string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for step := range 40 {
		name := names[r.IntN(len(names))]
		var changed []string
		switch kind := step % 8; kind {
		case 0: // a new word in the title of an existing article
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
			if err != nil {
				continue // deleted earlier
			}
			write(name, strings.Replace(string(data), "title: ", "title: nouveauté exclusive ", 1))
			changed = []string{name}
		case 1: // a new article
			name = fmt.Sprintf("nouveau/article-%d.md", step)
			write(name, fmt.Sprintf("---\nid: new-%d\ntitle: Nouveauté exclusive %d\n---\nUne livraison offerte, voir [l'autre](../%s).\n", step, step, names[0]))
			names = append(names, name)
			changed = nil // a new folder: everything is looked at
		case 2: // deleted
			os.Remove(filepath.Join(dir, filepath.FromSlash(name)))
			changed = []string{name}
		case 3: // a draft
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
			if err != nil {
				continue
			}
			write(name, strings.Replace(string(data), "lang: fr", "lang: fr\nstatus: draft", 1))
			changed = []string{name}
		case 4: // in English
			write(name, fmt.Sprintf("---\nid: en-%d\ntitle: Delivery and refund %d\nlang: en\n---\nWe refund every delivery late by a week.\n", step, step))
			changed = []string{name}
		case 5: // the synonyms
			write(SynonymsFile, fmt.Sprintf("- [nouveauté, exclusivité%d]\n", step))
			changed = []string{SynonymsFile}
		case 6: // a link to an article that is deleted next
			write("lien.md", fmt.Sprintf("---\nid: lien\ntitle: Lien %d\n---\nVoir [cet article](%s).\n", step, name))
			changed = []string{"lien.md"}
		case 7: // the same content again
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
			if err != nil {
				continue
			}
			write(name, string(data))
			changed = []string{name}
		}
		if err := b.reload(changed); err != nil {
			t.Fatal(err)
		}
		want := fullBuild(t, dir)
		sameIndex(t, fmt.Sprintf("step %d", step), current(b), want, queries)
		want.Close()
	}
	// Looking at every file finds nothing more.
	if err := b.Reload(); err != nil {
		t.Fatal(err)
	}
	want := fullBuild(t, dir)
	defer want.Close()
	sameIndex(t, "full reload", current(b), want, queries)
}

// TestIndexDirReuse starts a Base on an index folder written by an
// earlier start: with the files unchanged it analyses no article before a
// search needs it; with a file changed, or the manifest spoilt, it
// indexes again; every time it answers as a full build does.
func TestIndexDirReuse(t *testing.T) {
	dir := writeKB(t, generateKB(300, 5))
	indexDir := t.TempDir()
	open := func() *Base {
		t.Helper()
		b, err := Open(Config{Dir: dir, Logger: quietLogger(), IndexDir: indexDir})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	analysed := func(b *Base) int {
		n := 0
		for _, e := range current(b).entries {
			if e.terms.terms != nil {
				n++
			}
		}
		return n
	}
	check := func(step string, b *Base) {
		t.Helper()
		want := fullBuild(t, dir)
		defer want.Close()
		sameIndex(t, step, current(b), want, genQueries)
	}

	b := open()
	if n := analysed(b); n != 300 {
		t.Errorf("first start: %d articles analysed, want 300", n)
	}
	check("first start", b)
	b.Close()
	if _, err := os.Stat(filepath.Join(indexDir, "manifest.gob")); err != nil {
		t.Fatalf("no manifest after the first start: %v", err)
	}

	b = open()
	if n := analysed(b); n != 0 {
		t.Errorf("second start, nothing changed: %d articles analysed, want 0", n)
	}
	check("second start", b)
	b.Close()

	// A file changed while supportd was stopped.
	p := filepath.Join(dir, "livraison", "changed.md")
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte("---\nid: changed\ntitle: Article ajouté à l'arrêt\n---\nAjouté.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b = open()
	check("a file added while stopped", b)
	if hits, _ := b.Search(context.Background(), "ajouté à l'arrêt", 1); len(hits) == 0 || hits[0].Article.ID != "changed" {
		t.Errorf("the article added while stopped is not found: %v", hits)
	}
	b.Close()

	// A spoilt manifest.
	if err := os.WriteFile(filepath.Join(indexDir, "manifest.gob"), []byte("spoilt"), 0o644); err != nil {
		t.Fatal(err)
	}
	b = open()
	if n := analysed(b); n != 301 {
		t.Errorf("spoilt manifest: %d articles analysed, want 301", n)
	}
	check("spoilt manifest", b)
	b.Close()

	// A spoilt Bleve index.
	if err := os.WriteFile(filepath.Join(indexDir, "bleve", "index_meta.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	b = open()
	check("spoilt Bleve index", b)
	b.Close()
}

// TestIndexDirInUse opens two Bases on one index folder, as two processes
// sharing it by mistake would: the second indexes in memory and answers
// all the same.
func TestIndexDirInUse(t *testing.T) {
	dir := writeKB(t, generateKB(100, 2))
	indexDir := t.TempDir()
	first, err := Open(Config{Dir: dir, Logger: quietLogger(), IndexDir: indexDir})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	second, err := Open(Config{Dir: dir, Logger: quietLogger(), IndexDir: indexDir})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if current(second).bleve.disk != nil {
		t.Error("the second Base uses the folder the first holds")
	}
	sameIndex(t, "second base", current(second), current(first), genQueries)
}

// TestLoaderRereadsRecentFiles changes a file twice within the same
// second, size and time of change kept: the second change is found, since
// a file changed just before it was read is read again.
func TestLoaderRereadsRecentFiles(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.md")
	write := func(title string) {
		if err := os.WriteFile(p, []byte("---\nid: a\ntitle: "+title+"\n---\nCorps.\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Premier")
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	l := &loader{remember: true}
	fsys := os.DirFS(dir)
	if c, _, err := l.load(fsys); err != nil || c.Articles[0].Title != "Premier" {
		t.Fatalf("first load: %v", err)
	}
	write("Seconde")
	if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	c, _, err := l.load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if c.Articles[0].Title != "Seconde" {
		t.Errorf("title %q after a change of the same size at the same time, want Seconde", c.Articles[0].Title)
	}
	// Read long after its change, the file is trusted: unchanged, it is
	// not read again, and keeps its article.
	old := time.Now().Add(-time.Hour)
	os.Chtimes(p, old, old)
	c1, _, _ := l.load(fsys)
	c2, _, _ := l.load(fsys)
	if c1.Articles[0] != c2.Articles[0] {
		t.Error("an unchanged file made another article")
	}
}

// TestWatchNewFolder creates a folder with an article under a watched
// knowledge base, then edits the article: both are served.
func TestWatchNewFolder(t *testing.T) {
	dir := writeKB(t, generateKB(50, 4))
	b, err := Open(Config{Dir: dir, Debounce: 20 * time.Millisecond, Logger: quietLogger(), IndexDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go b.Watch(ctx)
	waitFor := func(query, id string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if hits, _ := b.Search(ctx, query, 1); len(hits) > 0 && hits[0].Article.ID == id {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("%q never found %s", query, id)
	}
	time.Sleep(100 * time.Millisecond)
	sub := filepath.Join(dir, "neuf", "dossier")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, "x.md"), []byte("---\nid: x\ntitle: Zanzibar expédition\n---\nCorps.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor("zanzibar", "x")
	if err := os.WriteFile(filepath.Join(sub, "x.md"), []byte("---\nid: x\ntitle: Ouagadougou expédition\n---\nCorps.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor("ouagadougou", "x")
	want := fullBuild(t, dir)
	defer want.Close()
	sameIndex(t, "after the edits", current(b), want, genQueries)
}
