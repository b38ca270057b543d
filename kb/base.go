package kb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Config configures a [Base]. Exactly one of Dir and FS is set.
type Config struct {
	// Dir is a knowledge-base folder on disk; [Base.Watch] follows its
	// changes.
	Dir string
	// FS is a read-only knowledge base, such as an embedded one.
	FS fs.FS
	// Debounce is how long the files must stay unchanged before a
	// rebuild. Default 100ms.
	Debounce time.Duration
	// Logger receives reloads and problems. Default slog.Default().
	Logger *slog.Logger
	// IndexDir, when set, is a folder where the index is kept between
	// runs, so that a start whose files have not changed does not index
	// them again (see the package documentation). It must be the
	// process's own: a folder another process holds is not used, and
	// the index is then made in memory.
	IndexDir string
}

// Base is the live knowledge base: the current index, rebuilt from the
// files on change and swapped in atomically. Searches never wait for a
// rebuild, never fail because of one and never see an empty index.
type Base struct {
	cfg  Config
	fsys fs.FS
	cur  atomic.Pointer[handle]
	// mu serialises rebuilds and guards problems.
	mu       sync.Mutex
	problems []Problem
	// loader remembers the files read, and fullNext asks the next reload
	// for a new index from scratch, after one failed.
	loader   loader
	fullNext bool
	reloads  atomic.Int64
	// reloadErrors counts the reloads that failed.
	reloadErrors atomic.Int64
}

// handle counts the searches using an index, so that a replaced index is
// closed only once its last search has returned.
type handle struct {
	ix   *Index
	refs atomic.Int64 // 1 for the Base, plus one per search under way
	// recent keeps the hits of the index's recent searches, by
	// [searchKey].
	recent *memo[[]Hit]
}

// searchCacheSize is how many recent searches an index keeps the hits of.
// Customers ask the same questions in the same words often, and an index
// answers them alike until the next reload, which builds another index,
// with an empty cache.
const searchCacheSize = 1024

// searchKey is the key of a search: its words, as typed, and the limit.
func searchKey(text string, limit int) string {
	return strings.Join(strings.Fields(text), " ") + "\x00" + strconv.Itoa(limit)
}

func (h *handle) acquire() bool {
	for {
		n := h.refs.Load()
		if n == 0 {
			return false
		}
		if h.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

func (h *handle) release() {
	if h.refs.Add(-1) == 0 {
		h.ix.Close()
	}
}

// Open loads and indexes a knowledge base. Problems in files do not make it
// fail (see [Base.Problems]); it fails when the folder cannot be read or
// Bleve fails.
func Open(cfg Config) (*Base, error) {
	if (cfg.Dir == "") == (cfg.FS == nil) {
		return nil, errors.New("kb: set exactly one of Dir and FS")
	}
	if cfg.Debounce == 0 {
		cfg.Debounce = 100 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	b := &Base{cfg: cfg, fsys: cfg.FS, loader: loader{remember: true}}
	if cfg.Dir != "" {
		b.fsys = os.DirFS(cfg.Dir)
	}
	if err := b.Reload(); err != nil {
		return nil, err
	}
	return b, nil
}

// Reload rebuilds the index from the files and swaps it in. On error the
// current index stays in service. Only the files whose size or time of
// change differ from the last load are read again, and only the articles
// that changed are analysed and indexed again.
func (b *Base) Reload() error { return b.reload(nil) }

// reload reloads; changed, when not nil, lists the only paths that
// changed since the last load.
func (b *Base) reload(changed []string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	start := time.Now()
	c, problems, err := b.loader.load(b.fsys, changed...)
	if err != nil {
		b.reloadErrors.Add(1)
		return err
	}
	ix, err := b.index(c)
	if err != nil {
		b.reloadErrors.Add(1)
		b.fullNext = true
		return err
	}
	h := &handle{ix: ix, recent: newMemo[[]Hit](searchCacheSize)}
	h.refs.Store(1)
	if old := b.cur.Swap(h); old != nil {
		old.release()
	}
	if d := ix.bleve.disk; d != nil {
		d.schedule(ix, b.cfg.Logger)
	}
	// The spelling correctors' lookups are made now, beside the searches
	// rather than in the way of the first that needs them.
	go ix.warm()
	b.problems = problems
	b.reloads.Add(1)
	for _, p := range problems {
		b.cfg.Logger.Warn("kb: problem", "problem", p.String())
	}
	b.cfg.Logger.Info("kb: indexed", "articles", ix.Len(), "problems", len(problems), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// index makes the index of c: from the current one, updated with the
// articles that changed, or else from the index folder, or else from
// scratch in memory.
func (b *Base) index(c *Collection) (*Index, error) {
	if h := b.cur.Load(); h != nil && !b.fullNext && h.acquire() {
		defer h.release()
		return assemble(c, h.ix, h.ix.bleve, h.ix)
	}
	b.fullNext = false
	if b.cfg.IndexDir != "" {
		ix, err := openDisk(b.cfg.IndexDir, c, b.cfg.Logger)
		if err == nil {
			return ix, nil
		}
		b.cfg.Logger.Warn("kb: the index folder is not used; indexing in memory", "dir", b.cfg.IndexDir, "err", err)
	}
	return Build(c)
}

// Problems returns the problems found by the last successful load.
func (b *Base) Problems() []Problem {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Problem(nil), b.problems...)
}

// Reloads counts the indexes built so far, the first included.
func (b *Base) Reloads() int64 { return b.reloads.Load() }

// ReloadErrors counts the reloads that failed, the previous index staying
// in service.
func (b *Base) ReloadErrors() int64 { return b.reloadErrors.Load() }

// Search searches the current index; see [Index.Search]. The hits of the
// index's last 1,024 searches are kept: the same words get them again
// without a search, until a reload.
func (b *Base) Search(ctx context.Context, text string, limit int) ([]Hit, error) {
	for {
		h := b.cur.Load()
		if h == nil {
			return nil, errors.New("kb: closed")
		}
		if h.acquire() {
			defer h.release()
			key := searchKey(text, limit)
			if hits, ok := h.recent.get(key); ok {
				return slices.Clone(hits), nil
			}
			hits, err := h.ix.Search(ctx, text, limit)
			if err == nil {
				h.recent.put(key, slices.Clone(hits))
			}
			return hits, err
		}
	}
}

// Article returns the published article with the given id, or nil.
func (b *Base) Article(id string) *Article {
	h := b.cur.Load()
	if h == nil || !h.acquire() {
		return nil
	}
	defer h.release()
	return h.ix.Article(id)
}

// Articles returns the articles served, by category, then title (in
// byte order).
func (b *Base) Articles() []*Article {
	h := b.cur.Load()
	if h == nil || !h.acquire() {
		return nil
	}
	defer h.release()
	return h.ix.Articles()
}

// Len returns the number of articles served.
func (b *Base) Len() int {
	h := b.cur.Load()
	if h == nil || !h.acquire() {
		return 0
	}
	defer h.release()
	return h.ix.Len()
}

// Close releases the index; searches under way finish first. The index
// folder's manifest, if one is being written, is written first.
func (b *Base) Close() error {
	if h := b.cur.Swap(nil); h != nil {
		if d := h.ix.bleve.disk; d != nil {
			d.wait()
		}
		h.release()
	}
	return nil
}

// Watch rebuilds the index whenever files under Config.Dir change, once
// they have stayed unchanged for Config.Debounce. It returns when ctx is
// done, or at once with an error if the folder cannot be watched.
func (b *Base) Watch(ctx context.Context) error {
	if b.cfg.Dir == "" {
		return errors.New("kb: only a folder on disk can be watched")
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("kb: watch: %w", err)
	}
	defer w.Close()
	if err := addTree(w, b.cfg.Dir); err != nil {
		return fmt.Errorf("kb: watch: %w", err)
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	// What changed since the last reload: the paths, or everything when
	// a folder changed or events were lost. A change made before the
	// watch began is found by a first look at every file.
	var changed []string
	full := true
	timer.Reset(0)
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if strings.HasPrefix(filepath.Base(ev.Name), ".") {
				continue
			}
			fi, err := os.Lstat(ev.Name)
			isDir := err == nil && fi.IsDir()
			if isDir && ev.Has(fsnotify.Create) {
				_ = addTree(w, ev.Name)
			}
			rel, err := filepath.Rel(b.cfg.Dir, ev.Name)
			if err != nil || isDir || b.isDir(filepath.ToSlash(rel)) {
				full = true
			} else {
				changed = append(changed, filepath.ToSlash(rel))
			}
			timer.Reset(b.cfg.Debounce)
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			b.cfg.Logger.Warn("kb: watch", "err", err)
			full = true
			timer.Reset(b.cfg.Debounce)
		case <-timer.C:
			paths := changed
			if full || paths == nil {
				paths = nil
			}
			changed, full = nil, false
			if err := b.reload(paths); err != nil {
				b.cfg.Logger.Error("kb: reload failed; the previous index stays in service", "err", err)
				full = true
			}
		}
	}
}

// isDir reports whether name was a folder of the knowledge base at the
// last load.
func (b *Base) isDir(name string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.loader.isDir(name)
}

// addTree watches a folder and its sub-folders, hidden ones excepted.
func addTree(w *fsnotify.Watcher, root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if !d.IsDir() {
			return nil
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		return w.Add(p)
	})
}
