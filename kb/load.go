package kb

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
	"time"
)

// SynonymsFile is the name of the optional file, at the root of a
// knowledge base, that extends the built-in lexicon.
const SynonymsFile = "synonyms.yaml"

// Collection is the result of loading a knowledge-base folder.
type Collection struct {
	// Articles are the usable articles, drafts included, in path order.
	Articles []*Article
	// Synonyms are the knowledge base's own synonym groups.
	Synonyms [][]string
	// Files counts the markdown files seen.
	Files int
}

// Published returns the articles that are served to customers.
func (c *Collection) Published() []*Article {
	out := make([]*Article, 0, len(c.Articles))
	for _, a := range c.Articles {
		if a.Published() {
			out = append(out, a)
		}
	}
	return out
}

// Load reads every *.md file under the root of fsys (hidden files and
// folders excepted) and the optional [SynonymsFile]. It never fails on a bad
// file: the file is reported as a [Problem] and skipped, or served with its
// problems when they are minor (an unknown field, a broken link). The
// error is non-nil only when the folder itself cannot be read.
func Load(fsys fs.FS) (*Collection, []Problem, error) {
	return (&loader{}).load(fsys)
}

// loader loads a knowledge base again and again, as [Load] does. When it
// remembers, it lists the folder and reads only the files whose size or
// time of change differ from those of their last reading; or, told which
// paths changed (by [Base.Watch]), it reads those and nothing else. A
// file changed shortly before it was read may change again within the
// same tick of the clock, unseen, so it is read again the next time.
type loader struct {
	remember bool
	files    map[string]loadedFile
	// last is the folder as last listed.
	last listing
}

// loadedFile is what a loader remembers of a file.
type loadedFile struct {
	size    int64
	modTime time.Time
	// trusted is false when the file had changed less than racyWindow
	// before it was read.
	trusted  bool
	article  *Article
	problems []Problem
}

// listing is what the folder holds: the markdown files, sorted, the
// symbolic links (skipped, with a problem), and the folders.
type listing struct {
	names []string
	links []string
	dirs  map[string]bool
	// entries are those of a listing made by walking the folder.
	entries map[string]fs.DirEntry
}

// racyWindow is how recent a change must be for a file to be read again
// at the next load whatever its size and time of change.
const racyWindow = 2 * time.Second

// isMarkdown reports whether a file name is an article's.
func isMarkdown(name string) bool { return strings.EqualFold(path.Ext(name), ".md") }

// isDir reports whether name was a folder at the last listing.
func (l *loader) isDir(name string) bool { return l.last.dirs[name] }

// list walks the folder.
func list(fsys fs.FS) (listing, error) {
	ls := listing{dirs: map[string]bool{}, entries: map[string]fs.DirEntry{}}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			if name == "." {
				return err
			}
			return nil
		}
		base := d.Name()
		if name != "." && strings.HasPrefix(base, ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		// A link may lead out of the folder: the knowledge base is what
		// the folder holds, nothing it points to.
		if d.Type()&fs.ModeSymlink != 0 {
			ls.links = append(ls.links, name)
			return nil
		}
		if d.IsDir() {
			ls.dirs[name] = true
		} else if isMarkdown(base) {
			ls.names = append(ls.names, name)
			ls.entries[name] = d
		}
		return nil
	})
	if err != nil {
		return listing{}, fmt.Errorf("kb: read folder: %w", err)
	}
	sort.Strings(ls.names)
	sort.Strings(ls.links)
	return ls, nil
}

// relist returns the last listing with the changed paths (files, not
// folders) looked at again.
func (l *loader) relist(fsys fs.FS, changed []string) listing {
	ls := listing{dirs: l.last.dirs, names: l.last.names, links: l.last.links}
	copied := false
	for _, name := range changed {
		fi, err := fs.Lstat(fsys, name)
		isLink := err == nil && fi.Mode()&fs.ModeSymlink != 0
		isFile := err == nil && !isLink && fi.Mode().IsRegular() && isMarkdown(name)
		i, listed := slices.BinarySearch(ls.names, name)
		j, linked := slices.BinarySearch(ls.links, name)
		if listed == isFile && linked == isLink {
			continue
		}
		if !copied {
			ls.names, ls.links = slices.Clone(ls.names), slices.Clone(ls.links)
			copied = true
		}
		switch {
		case listed && !isFile:
			ls.names = slices.Delete(ls.names, i, i+1)
		case !listed && isFile:
			ls.names = slices.Insert(ls.names, i, name)
		}
		switch {
		case linked && !isLink:
			ls.links = slices.Delete(ls.links, j, j+1)
		case !linked && isLink:
			ls.links = slices.Insert(ls.links, j, name)
		}
	}
	return ls
}

// load reads the knowledge base; see [Load]. changed, when not nil, lists
// the only paths that may have changed since the last load.
func (l *loader) load(fsys fs.FS, changed ...string) (*Collection, []Problem, error) {
	var ls listing
	if changed != nil && l.remember && l.files != nil {
		ls = l.relist(fsys, changed)
	} else {
		var err error
		if ls, err = list(fsys); err != nil {
			return nil, nil, err
		}
	}
	names, links := ls.names, ls.links
	forced := map[string]bool{}
	for _, name := range changed {
		forced[name] = true
	}
	files := l.readAll(fsys, ls, forced)

	c := &Collection{Files: len(names)}
	var problems []Problem
	for _, name := range links {
		problems = append(problems, Problem{Path: name, Line: 1, Message: "symbolic link: skipped (put the file itself in the folder)"})
	}
	byID := make(map[string]*Article, len(names))
	// fileOf is the index in names of each article's file.
	var fileOf []int
	for i, name := range names {
		problems = append(problems, files[i].problems...)
		a := files[i].article
		if a == nil {
			continue
		}
		if first, dup := byID[a.ID]; dup {
			problems = append(problems, Problem{Path: name, Line: 1,
				Message: fmt.Sprintf("duplicate id %q (already used by %s); this file is skipped", a.ID, first.Path)})
			continue
		}
		byID[a.ID] = a
		c.Articles = append(c.Articles, a)
		fileOf = append(fileOf, i)
	}

	var byPath map[string]*Article
	for i, a := range c.Articles {
		var ids map[string]string
		for _, lk := range a.links {
			if byPath == nil {
				byPath = make(map[string]*Article, len(c.Articles))
				for _, a := range c.Articles {
					byPath[a.Path] = a
				}
			}
			target := path.Clean(path.Join(path.Dir(a.Path), lk.target))
			if t, ok := byPath[target]; ok && t.Published() {
				if ids == nil {
					ids = map[string]string{}
				}
				ids[lk.target] = t.ID
			}
			if _, found := slices.BinarySearch(names, target); !found {
				problems = append(problems, Problem{Path: a.Path, Line: a.BodyLine + lk.line - 1,
					Message: fmt.Sprintf("link to a missing article %q", lk.target)})
			}
		}
		// An article may be served by an index already: a change of its
		// links makes another article.
		if !maps.Equal(ids, a.linkIDs) {
			cp := *a
			cp.linkIDs = ids
			c.Articles[i] = &cp
		}
	}
	if l.remember {
		for i, a := range c.Articles {
			files[fileOf[i]].article = a
		}
		l.keepFiles(ls, files)
	}

	if fi, err := fs.Lstat(fsys, SynonymsFile); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		problems = append(problems, Problem{Path: SynonymsFile, Line: 1, Message: "symbolic link: skipped (put the file itself in the folder)"})
	} else if data, err := readLimited(fsys, SynonymsFile); err == nil {
		groups, ps := ParseSynonyms(SynonymsFile, data)
		c.Synonyms = groups
		problems = append(problems, ps...)
	} else if !errors.Is(err, fs.ErrNotExist) {
		problems = append(problems, Problem{Path: SynonymsFile, Line: 1, Message: err.Error()})
	}
	return c, problems, nil
}

// keepFiles remembers the listing and what was read of each file.
func (l *loader) keepFiles(ls listing, files []loadedFile) {
	if l.files == nil {
		l.files = make(map[string]loadedFile, len(files))
	}
	for _, name := range l.last.names {
		if _, found := slices.BinarySearch(ls.names, name); !found {
			delete(l.files, name)
		}
	}
	for i, name := range ls.names {
		l.files[name] = files[i]
	}
	l.last = ls
	l.last.entries = nil
}

// readAll reads and parses the files, on every processor, except those
// the loader may take as they were.
func (l *loader) readAll(fsys fs.FS, ls listing, forced map[string]bool) []loadedFile {
	out := make([]loadedFile, len(ls.names))
	parallel(len(ls.names), 256, func(i int) {
		out[i] = l.file(fsys, ls, ls.names[i], forced[ls.names[i]])
	})
	return out
}

// file returns what the loader remembers of a file if it is unchanged,
// else reads it. Without the listing's entry (the folder was not walked),
// a file not forced and read long enough after its last change is taken
// as unchanged.
func (l *loader) file(fsys fs.FS, ls listing, name string, forced bool) loadedFile {
	var f loadedFile
	if !l.remember {
		return l.read(fsys, name, f)
	}
	old, known := l.files[name]
	d := ls.entries[name]
	if known && old.trusted && !forced && d == nil {
		return old
	}
	var info fs.FileInfo
	var err error
	if d != nil {
		info, err = d.Info()
	} else {
		info, err = fs.Stat(fsys, name)
	}
	if err == nil {
		f.size, f.modTime = info.Size(), info.ModTime()
		if known && old.trusted && !forced && old.size == f.size && old.modTime.Equal(f.modTime) {
			return old
		}
	}
	return l.read(fsys, name, f)
}

// read reads and parses one file. f holds its size and time of change.
func (l *loader) read(fsys fs.FS, name string, f loadedFile) loadedFile {
	start := time.Now()
	data, err := readLimited(fsys, name)
	if err != nil {
		f.problems = []Problem{{Path: name, Line: 1, Message: err.Error()}}
		return f
	}
	f.trusted = !f.modTime.IsZero() && f.modTime.Before(start.Add(-racyWindow))
	a, ps := ParseArticle(name, data)
	f.problems = ps
	// The same content again keeps the same article.
	if old, ok := l.files[name]; ok && old.article != nil && a != nil && old.article.sum == a.sum {
		a = old.article
	}
	f.article = a
	return f
}

// readLimited reads a file, refusing one larger than [MaxArticleSize].
func readLimited(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxArticleSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the file: %v", err)
	}
	if len(data) > MaxArticleSize {
		return nil, fmt.Errorf("file too large (more than %d KiB); split it into several articles", MaxArticleSize>>10)
	}
	return data, nil
}
