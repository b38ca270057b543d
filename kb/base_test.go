package kb

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestReloadUnderLoad has 8 goroutines search while the index is rebuilt
// 20 times: no search may fail or come back empty.
func TestReloadUnderLoad(t *testing.T) {
	n := 2000
	if testing.Short() || raceEnabled {
		n = 200
	}
	dir := writeKB(t, generateKB(n, 1))
	b, err := Open(Config{Dir: dir, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	var searches, failures, empty atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				hits, err := b.Search(context.Background(), genQueries[i%len(genQueries)], 3)
				searches.Add(1)
				if err != nil {
					failures.Add(1)
				} else if len(hits) == 0 {
					empty.Add(1)
				}
			}
		}()
	}
	for range 20 {
		if err := b.Reload(); err != nil {
			t.Error(err)
		}
	}
	close(stop)
	wg.Wait()
	if failures.Load() != 0 || empty.Load() != 0 {
		t.Errorf("%d searches: %d failed, %d empty", searches.Load(), failures.Load(), empty.Load())
	}
	if b.Reloads() != 21 {
		t.Errorf("reloads = %d, want 21", b.Reloads())
	}
	t.Logf("%d searches during 20 reloads of %d articles", searches.Load(), n)
}

// TestWatch edits, adds, breaks and removes files under a watched folder,
// and waits for each change to be served.
func TestWatch(t *testing.T) {
	dir := writeKB(t, map[string]string{
		"a.md": "---\nid: a\ntitle: Horaires du magasin\n---\nOuvert de 9 h à 18 h.\n",
	})
	b, err := Open(Config{Dir: dir, Debounce: 20 * time.Millisecond, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- b.Watch(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	// waitFor polls until cond holds; the bound only keeps a broken
	// watcher from hanging the test, it measures nothing.
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if cond() {
				return
			}
		}
		t.Fatalf("never: %s", what)
	}
	first := func(q string) string {
		hits, err := b.Search(ctx, q, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 {
			return ""
		}
		return hits[0].Article.ID
	}
	write := func(name, data string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Give the watcher time to start: a write before it watches is seen
	// by the next rebuild only.
	time.Sleep(100 * time.Millisecond)
	write("sub/b.md", "---\nid: b\ntitle: Cartes cadeaux\n---\nValables un an.\n")
	waitFor("a new file in a new folder is served", func() bool { return first("carte cadeau") == "b" })

	write("a.md", "---\nid: a\ntitle: Horaires et jours fériés\n---\nFermé le 1er mai.\n")
	waitFor("an edit is served", func() bool { return first("jours fériés") == "a" })

	write("a.md", "---\ntitle: [cassé\n---\n")
	waitFor("a broken file is reported", func() bool { return len(b.Problems()) == 1 })
	if first("carte cadeau") != "b" {
		t.Error("the rest is no longer served after a broken file")
	}

	os.Remove(filepath.Join(dir, "sub", "b.md"))
	waitFor("a removed file is no longer served", func() bool { return first("carte cadeau") == "" })
}

// TestSearchCache: the same words get the same hits again, a caller that
// changes what it got does not change them for the next, and a reload
// forgets them.
func TestSearchCache(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "suivi.md"), []byte("---\ntitle: Suivre mon colis\n---\n"+body+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Depuis « Mes commandes ».")
	b, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	first, err := b.Search(context.Background(), "suivre  mon colis", 3)
	if err != nil || len(first) == 0 {
		t.Fatalf("search: %v, %v", first, err)
	}
	first[0].Score = -1
	again, _ := b.Search(context.Background(), "suivre mon colis", 3)
	if len(again) != len(first) || again[0].Score == -1 || again[0].Article.ID != "suivi" {
		t.Errorf("again: %+v", again)
	}
	write("Depuis « Mes commandes », ou le lien de l'email d'expédition.")
	if err := b.Reload(); err != nil {
		t.Fatal(err)
	}
	after, _ := b.Search(context.Background(), "suivre mon colis", 3)
	if len(after) == 0 || !strings.Contains(after[0].Article.Body, "expédition") {
		t.Errorf("after a reload: %+v", after)
	}
}
