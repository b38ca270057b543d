package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/supportd/supportd/kb"
)

// addPhrasing adds question to the questions of the article with that id
// in the knowledge-base folder dir, editing its markdown file in place
// (through a temporary file renamed over it, so that the live index never
// reads half a file). kb.ErrHasQuestion when the article has it already.
func addPhrasing(dir, articleID, question string) error {
	c, _, err := kb.Load(os.DirFS(dir))
	if err != nil {
		return err
	}
	var path string
	for _, a := range c.Articles {
		if a.ID == articleID {
			path = filepath.Join(dir, filepath.FromSlash(a.Path))
		}
	}
	if path == "" {
		return fmt.Errorf("no article %q in %s", articleID, dir)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := kb.AddQuestion(data, question)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".supportd-*.md.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(out); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(fi.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// learnedCopy copies the knowledge-base folder dir to a temporary folder
// and adds there, as accepted phrasings, the messages of the FAQ cases in
// casesPath to their articles: what kb eval --learn scores. It returns
// the folder, which the caller removes, and how many phrasings it added.
func learnedCopy(dir, casesPath string) (string, int, error) {
	cases, err := readCases(casesPath)
	if err != nil {
		return "", 0, err
	}
	tmp, err := os.MkdirTemp("", "supportd-learned-kb")
	if err != nil {
		return "", 0, err
	}
	if err := os.CopyFS(tmp, os.DirFS(dir)); err != nil {
		os.RemoveAll(tmp)
		return "", 0, err
	}
	added := 0
	for _, c := range cases {
		id, ok := strings.CutPrefix(c.Expect, "faq:")
		if !ok {
			continue
		}
		err := addPhrasing(tmp, id, c.Q)
		if errors.Is(err, kb.ErrHasQuestion) {
			continue
		}
		if err != nil {
			os.RemoveAll(tmp)
			return "", 0, err
		}
		added++
	}
	return tmp, added, nil
}
