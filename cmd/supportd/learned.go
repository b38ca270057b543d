package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/supportd/supportd/kb"
	"github.com/supportd/supportd/store"
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

// runLearned runs "supportd kb learned [accept|reject ID]": the candidate
// phrasings that customers' conversations gave the articles, and the
// editor's decisions on them.
func runLearned(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c serveConfig
	fs := newFlagSet("kb learned", stderr)
	storeFlags(fs, &c)
	dir := fs.String("kb", env("SUPPORTD_KB", ""), "the knowledge-base folder whose articles an accepted phrasing is added to (SUPPORTD_KB)")
	all := fs.Bool("all", false, "list the accepted and rejected phrasings too")
	// Flags may come before, between or after the words.
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			return errUsage
		}
		if fs.NArg() == 0 {
			break
		}
		words = append(words, fs.Arg(0))
		args = fs.Args()[1:]
	}
	verb, rest := "list", words
	if len(rest) > 0 {
		verb, rest = rest[0], rest[1:]
	}
	var id int64
	switch verb {
	case "list":
		if len(rest) != 0 {
			return learnedUsage(stderr)
		}
	case "accept", "reject":
		if len(rest) != 1 {
			return learnedUsage(stderr)
		}
		n, err := strconv.ParseInt(rest[0], 10, 64)
		if err != nil || n <= 0 {
			return learnedUsage(stderr)
		}
		id = n
		if verb == "accept" && *dir == "" {
			fmt.Fprintln(stderr, "supportd kb learned accept: --kb names the folder of the article to edit")
			return errUsage
		}
	default:
		return learnedUsage(stderr)
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()
	var ph store.Phrasings = st
	if verb == "list" {
		status := store.PhrasingPending
		if *all {
			status = ""
		}
		list, err := ph.Phrasings(ctx, status)
		if err != nil {
			return err
		}
		printPhrasings(stdout, list)
		return nil
	}
	list, err := ph.Phrasings(ctx, "")
	if err != nil {
		return err
	}
	var p *store.Phrasing
	for i := range list {
		if list[i].ID == id {
			p = &list[i]
		}
	}
	if p == nil {
		fmt.Fprintf(stderr, "supportd kb learned: no phrasing %d\n", id)
		return errFailed
	}
	if p.Status != store.PhrasingPending {
		fmt.Fprintf(stderr, "supportd kb learned: phrasing %d is %s already\n", id, p.Status)
		return errFailed
	}
	if verb == "reject" {
		if err := ph.SetPhrasingStatus(ctx, id, store.PhrasingRejected); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "phrasing %d rejected\n", id)
		return nil
	}
	err = addPhrasing(*dir, p.ArticleID, p.Text)
	if err != nil && !errors.Is(err, kb.ErrHasQuestion) {
		return err
	}
	if err := ph.SetPhrasingStatus(ctx, id, store.PhrasingAccepted); err != nil {
		return err
	}
	if errors.Is(err, kb.ErrHasQuestion) {
		fmt.Fprintf(stdout, "phrasing %d accepted: %s has that question already\n", id, p.ArticleID)
		return nil
	}
	fmt.Fprintf(stdout, "phrasing %d accepted: added to the questions of %s\n", id, p.ArticleID)
	return nil
}

func learnedUsage(stderr io.Writer) error {
	fmt.Fprintln(stderr, "usage: supportd kb learned [--all] | accept ID --kb DIR | reject ID   (--data DIR or DATABASE_URL, as serve)")
	return errUsage
}

// printPhrasings lists phrasings under their article.
func printPhrasings(w io.Writer, list []store.Phrasing) {
	if len(list) == 0 {
		fmt.Fprintln(w, "no phrasing to review")
		return
	}
	article := ""
	for _, p := range list {
		if p.ArticleID != article {
			article = p.ArticleID
			fmt.Fprintf(w, "%s\n", article)
		}
		fmt.Fprintf(w, "  %5d  %-8s  %-6s  %s  %q\n", p.ID, p.Status, p.Source, p.CreatedAt.Format("2006-01-02"), p.Text)
	}
}
