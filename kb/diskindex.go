package kb

import (
	"crypto/rand"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bolterrors "go.etcd.io/bbolt/errors"
)

// diskIndex is the folder where a knowledge base's index is kept between
// runs ([Config.IndexDir]): Bleve's index, in bleve/, and a manifest of
// what it holds, in manifest.gob: the sum of each article's file and the
// counts the search needs. A start whose files all have the sums of the
// manifest opens Bleve's index as it is and analyses each article only
// when a search first retrieves it.
//
// The markdown stays the source of truth, the folder is a cache: it is
// rebuilt whenever it is in doubt. Each batch written to Bleve carries a
// new token, stored in the same batch; the manifest written after it
// carries the same. A manifest of another token, another format or another
// build of supportd is not trusted, and Bleve's index is made again.
type diskIndex struct {
	dir string
	// token is that of the last batch Bleve holds.
	token string
	// mu guards what follows: the index whose manifest is to be written
	// next, with its token, whether a writer is at work, and the token of
	// the manifest last written.
	mu      sync.Mutex
	next    *Index
	nextTok string
	writing bool
	written string
	done    *sync.Cond
}

// manifest describes what the Bleve index of a [diskIndex] holds.
type manifest struct {
	Format int
	Build  string
	Token  string
	// IDs are the articles', and Sums their files' sums, 32 bytes each.
	IDs         []string
	Sums        []byte
	DF          map[string]int
	Vocab       map[string]map[string]int
	TotalLength float64
	// sums are IDs and Sums as a map.
	sums sumMap
}

// indexFormat changes whenever what is indexed or counted of an article
// changes, so that folders made before are rebuilt.
const indexFormat = 1

// tokenKey is the key of Bleve's internal storage holding the token.
const tokenKey = "supportd.token"

// errIndexInUse reports a folder another process holds.
var errIndexInUse = errors.New("kb: the index folder is in use by another process")

func newToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// buildStamp names the build of supportd: a folder written by another is
// rebuilt. A build from modified sources is named by its executable too.
// It is read once.
var buildStamp = sync.OnceValue(readBuildStamp)

func readBuildStamp() string {
	stamp := fmt.Sprint("format ", indexFormat)
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return stamp
	}
	stamp += " " + info.GoVersion + " " + info.Main.Version
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			stamp += " " + s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified {
		if exe, err := os.Executable(); err == nil {
			if fi, err := os.Stat(exe); err == nil {
				stamp += fmt.Sprint(" ", fi.Size(), " ", fi.ModTime().UnixNano())
			}
		}
	}
	return stamp
}

// openDisk opens the index of c kept in dir, bringing it up to date, or
// makes it there.
func openDisk(dir string, c *Collection, logger *slog.Logger) (*Index, error) {
	d := &diskIndex{dir: dir}
	sb, m, err := d.open(logger)
	if err != nil {
		return nil, err
	}
	defer sb.release()
	if m != nil && m.holds(c) {
		return fromManifest(c, m, sb), nil
	}
	var held heldArticles
	if m != nil {
		held = m.sums
	}
	ix, err := assemble(c, nil, sb, held)
	if err != nil {
		return nil, err
	}
	d.schedule(ix, logger)
	return ix, nil
}

// open opens Bleve's index in the folder, or creates it, and returns the
// manifest when it describes the index, nil otherwise (the index is then
// empty).
func (d *diskIndex) open(logger *slog.Logger) (*sharedBleve, *manifest, error) {
	if err := os.MkdirAll(d.dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("kb: index folder: %w", err)
	}
	path := filepath.Join(d.dir, "bleve")
	config := map[string]any{"bolt_timeout": "1s"}
	bi, err := bleve.OpenUsing(path, config)
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, nil, errIndexInUse
	case err != nil && !errors.Is(err, bleve.ErrorIndexPathDoesNotExist):
		logger.Warn("kb: the index folder cannot be read; indexing again", "dir", d.dir, "err", err)
	}
	var m *manifest
	if err != nil {
		bi = nil // Bleve returns a typed nil
	} else {
		m = d.readManifest(bi)
		if m == nil {
			bi.Close()
			bi = nil
		}
	}
	if bi == nil {
		if err := os.RemoveAll(path); err != nil {
			return nil, nil, fmt.Errorf("kb: index folder: %w", err)
		}
		im, err := indexMapping()
		if err != nil {
			return nil, nil, err
		}
		if bi, err = bleve.NewUsing(path, im, scorch.Name, scorch.Name, config); err != nil {
			if errors.Is(err, bolterrors.ErrTimeout) {
				return nil, nil, errIndexInUse
			}
			return nil, nil, fmt.Errorf("kb: create index: %w", err)
		}
	}
	sb := &sharedBleve{index: bi, disk: d}
	sb.refs.Store(1)
	return sb, m, nil
}

// readManifest returns the folder's manifest if it describes bi, else
// nil.
func (d *diskIndex) readManifest(bi bleve.Index) *manifest {
	token, err := bi.GetInternal([]byte(tokenKey))
	if err != nil || len(token) == 0 {
		return nil
	}
	f, err := os.Open(filepath.Join(d.dir, "manifest.gob"))
	if err != nil {
		return nil
	}
	defer f.Close()
	var m manifest
	if err := gob.NewDecoder(f).Decode(&m); err != nil {
		return nil
	}
	if m.Format != indexFormat || m.Build != buildStamp() || m.Token != string(token) || len(m.Sums) != 32*len(m.IDs) {
		return nil
	}
	m.sums = make(sumMap, len(m.IDs))
	for i, id := range m.IDs {
		m.sums[id] = [32]byte(m.Sums[32*i : 32*i+32])
	}
	d.token, d.written = m.Token, m.Token
	return &m
}

// holds reports whether the manifest describes the published articles of
// c, file by file.
func (m *manifest) holds(c *Collection) bool {
	published := c.Published()
	if len(published) != len(m.sums) {
		return false
	}
	for _, a := range published {
		if sum, ok := m.sums[a.ID]; !ok || sum != a.sum {
			return false
		}
	}
	return true
}

// schedule has the manifest of ix, the index Bleve holds now, written in
// the background, in place of the folder's. When several are scheduled
// while one is written, only the last is written next.
func (d *diskIndex) schedule(ix *Index, logger *slog.Logger) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.token == d.written && d.next == nil {
		return
	}
	d.next, d.nextTok = ix, d.token
	if d.writing {
		return
	}
	d.writing = true
	go func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		for d.next != nil {
			ix, token := d.next, d.nextTok
			d.next = nil
			d.mu.Unlock()
			err := d.write(ix, token)
			d.mu.Lock()
			if err != nil {
				logger.Warn("kb: cannot write the index folder's manifest; the next start indexes again", "dir", d.dir, "err", err)
			} else {
				d.written = token
			}
		}
		d.writing = false
		if d.done != nil {
			d.done.Broadcast()
		}
	}()
}

// wait returns once no manifest is being written.
func (d *diskIndex) wait() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done == nil {
		d.done = sync.NewCond(&d.mu)
	}
	for d.writing {
		d.done.Wait()
	}
}

// write writes the manifest of ix, whose articles Bleve holds with the
// token, in place of the folder's: a new file renamed over the old one.
func (d *diskIndex) write(ix *Index, token string) error {
	m := manifest{Format: indexFormat, Build: buildStamp(), Token: token,
		IDs: make([]string, 0, len(ix.entries)), Sums: make([]byte, 0, 32*len(ix.entries)),
		DF: ix.df, Vocab: ix.vocab, TotalLength: ix.totalLength}
	for _, e := range ix.entries {
		m.IDs = append(m.IDs, e.article.ID)
		m.Sums = append(m.Sums, e.article.sum[:]...)
	}
	path := filepath.Join(d.dir, "manifest.gob")
	tmp, err := os.CreateTemp(d.dir, "manifest-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := gob.NewEncoder(tmp).Encode(&m); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// fromManifest makes the index of c, whose articles are those the
// manifest describes, on the Bleve index that holds them: the counts are
// the manifest's, and each article is analysed when first needed.
func fromManifest(c *Collection, m *manifest, sb *sharedBleve) *Index {
	published := c.Published()
	ix := newIndex(c, sb, len(published))
	ix.df, ix.vocab, ix.totalLength = m.DF, m.Vocab, m.TotalLength
	for _, a := range published {
		e := &entry{article: a, terms: &lazyTerms{article: a}}
		ix.entries = append(ix.entries, e)
		ix.byID[a.ID] = e
	}
	ix.finish(nil, nil)
	sb.acquire()
	return ix
}
