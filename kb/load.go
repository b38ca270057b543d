package kb

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
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
	var names, links []string
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
			links = append(links, name)
			return nil
		}
		if !d.IsDir() && strings.EqualFold(path.Ext(base), ".md") {
			names = append(names, name)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("kb: read folder: %w", err)
	}
	sort.Strings(names)

	c := &Collection{Files: len(names)}
	var problems []Problem
	for _, name := range links {
		problems = append(problems, Problem{Path: name, Line: 1, Message: "symbolic link: skipped (put the file itself in the folder)"})
	}
	byID := map[string]*Article{}
	for _, name := range names {
		data, err := readLimited(fsys, name)
		if err != nil {
			problems = append(problems, Problem{Path: name, Line: 1, Message: err.Error()})
			continue
		}
		a, ps := ParseArticle(name, data)
		problems = append(problems, ps...)
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
	}

	files := map[string]bool{}
	for _, name := range names {
		files[name] = true
	}
	byPath := map[string]*Article{}
	for _, a := range c.Articles {
		byPath[a.Path] = a
	}
	for _, a := range c.Articles {
		for _, l := range a.links {
			target := path.Clean(path.Join(path.Dir(a.Path), l.target))
			if t, ok := byPath[target]; ok && t.Published() {
				if a.linkIDs == nil {
					a.linkIDs = map[string]string{}
				}
				a.linkIDs[l.target] = t.ID
			}
			if !files[target] {
				problems = append(problems, Problem{Path: a.Path, Line: a.BodyLine + l.line - 1,
					Message: fmt.Sprintf("link to a missing article %q", l.target)})
			}
		}
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
