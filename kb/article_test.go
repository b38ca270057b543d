package kb

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestParseArticle(t *testing.T) {
	for _, test := range []struct {
		name     string
		path     string
		in       string
		wantNil  bool
		check    func(t *testing.T, a *Article)
		problems []string // substrings of the problems, in order, with their "path:line:"
	}{
		{
			name: "complete",
			path: "compte/mdp.md",
			in: "---\nid: compte-mdp\ntitle: Mot de passe oublié\ncategory: Compte\ntags: [mdp, connexion]\n" +
				"questions:\n  - Je n'arrive plus à me connecter\nlang: fr\nupdated: 2026-10-15\naudience: clients\n---\n" +
				"Cliquez sur **Mot de passe oublié**.\n",
			check: func(t *testing.T, a *Article) {
				if a.ID != "compte-mdp" || a.Title != "Mot de passe oublié" || a.Category != "Compte" {
					t.Errorf("fields: %+v", a)
				}
				if strings.Join(a.Tags, ",") != "mdp,connexion" || len(a.Questions) != 1 || a.Lang != "fr" || a.Updated != "2026-10-15" {
					t.Errorf("lists: %+v", a)
				}
				if a.Extra["audience"] != "clients" {
					t.Errorf("unknown field not kept: %v", a.Extra)
				}
				if a.Text() != "Cliquez sur Mot de passe oublié." || a.BodyLine != 12 || !a.Published() {
					t.Errorf("body: %q line %d", a.Text(), a.BodyLine)
				}
			},
		},
		{
			name: "defaults",
			path: "livraison/delais.md",
			in:   "---\ntitle: Délais\ntags: livraison\n---\nSous 48 heures.",
			check: func(t *testing.T, a *Article) {
				if a.ID != "livraison/delais" || a.Lang != "fr" || a.Status != "published" || len(a.Tags) != 1 {
					t.Errorf("defaults: %+v", a)
				}
			},
		},
		{
			name: "crlf and bom",
			path: "a.md",
			in:   "\uFEFF---\r\ntitle: Windows\r\nlang: en\r\n---\r\nSaved with CRLF.\r\n",
			check: func(t *testing.T, a *Article) {
				if a.Title != "Windows" || a.Lang != "en" || a.Text() != "Saved with CRLF." {
					t.Errorf("crlf: %+v", a)
				}
			},
		},
		{
			name: "draft",
			path: "a.md",
			in:   "---\ntitle: Bientôt\nstatus: draft\n---\nPas encore prêt.",
			check: func(t *testing.T, a *Article) {
				if a.Published() {
					t.Error("a draft is published")
				}
			},
		},
		{name: "no front matter", path: "a.md", in: "# Titre\n\nTexte", wantNil: true,
			problems: []string{"a.md:1: missing front matter"}},
		{name: "unclosed", path: "a.md", in: "---\ntitle: x\n\nTexte", wantNil: true,
			problems: []string{"a.md:1: front matter is not closed"}},
		{name: "bad yaml", path: "a.md", in: "---\ntitle: ok\ntags: [a, b\ncategory: x\n---\nTexte", wantNil: true,
			problems: []string{"a.md:"}},
		{name: "wrong type", path: "a.md", in: "---\ntitle: ok\ntags:\n  nested: map\n---\nTexte", wantNil: true,
			problems: []string{"a.md:4: bad front matter"}},
		{name: "not a mapping", path: "a.md", in: "---\n- a\n- b\n---\nTexte", wantNil: true,
			problems: []string{"a.md:2: bad front matter"}},
		{name: "missing title", path: "a.md", in: "---\ncategory: x\n---\nTexte",
			problems: []string{"a.md:1: missing title"}},
		{name: "unknown lang", path: "a.md", in: "---\ntitle: x\nlang: de\n---\nText",
			problems: []string{`a.md:3: unknown lang "de"`}},
		{name: "empty body", path: "a.md", in: "---\ntitle: x\n---\n\n  \n",
			problems: []string{"a.md:4: empty body"}},
		{name: "non utf8", path: "a.md", in: "---\ntitle: x\n---\nCaf\xe9\n", wantNil: true,
			problems: []string{"a.md:4: not valid UTF-8"}},
		{name: "binary", path: "a.md", in: "\x89PNG\r\n\x1a\n\x00\x00", wantNil: true,
			problems: []string{"a.md:1: binary file"}},
	} {
		t.Run(test.name, func(t *testing.T) {
			a, problems := ParseArticle(test.path, []byte(test.in))
			if (a == nil) != test.wantNil {
				t.Fatalf("article = %v, want nil: %v (problems %v)", a, test.wantNil, problems)
			}
			if len(problems) != len(test.problems) {
				t.Fatalf("problems = %v, want %d", problems, len(test.problems))
			}
			for i, p := range problems {
				if !strings.Contains(p.String(), test.problems[i]) {
					t.Errorf("problem %d = %q, want it to contain %q", i, p, test.problems[i])
				}
			}
			if test.check != nil {
				test.check(t, a)
			}
		})
	}
}

func TestParseArticleLinks(t *testing.T) {
	a, _ := ParseArticle("a.md", []byte("---\ntitle: x\n---\nVoir [b](b.md), [c](../c.md#part),\n[site](https://example.org/x.md) et [ancre](#haut).\n\n[d](sous/d.md)\n"))
	var got []string
	for _, l := range a.links {
		got = append(got, l.target)
	}
	if strings.Join(got, " ") != "b.md ../c.md sous/d.md" {
		t.Errorf("links = %v", got)
	}
	if a.links[2].line != 4 {
		t.Errorf("line of sous/d.md = %d, want 4", a.links[2].line)
	}
}

func FuzzParseArticle(f *testing.F) {
	f.Add("a.md", []byte("---\ntitle: T\ntags: [a]\n---\nBody [x](y.md)\n"))
	f.Add("b/c.md", []byte("---\n---\n"))
	f.Add("c.md", []byte("---\ntitle: [unclosed\n---\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		a, problems := ParseArticle(name, data)
		for _, p := range problems {
			if p.Line < 1 || p.Message == "" {
				t.Fatalf("bad problem %+v", p)
			}
		}
		if a == nil {
			if len(problems) == 0 {
				t.Fatal("no article and no problem")
			}
			return
		}
		if a.Lang != "fr" && a.Lang != "en" {
			t.Fatalf("lang %q", a.Lang)
		}
		if a.BodyLine < 2 {
			t.Fatalf("body line %d", a.BodyLine)
		}
	})
}

func TestBodyWithLinks(t *testing.T) {
	c, _, err := Load(fstest.MapFS{
		"a/un.md":   {Data: []byte("---\nid: un\ntitle: Un\n---\nVoir [deux](../b/deux.md#x), [absent](absent.md) et [site](https://example.org).\n")},
		"b/deux.md": {Data: []byte("---\nid: deux\ntitle: Deux\n---\nTexte.\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := c.Articles[0].BodyWithLinks(func(id string) string { return "/help/" + id })
	want := "Voir [deux](/help/deux), absent et [site](https://example.org).\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestBodyWithLinksAfterChange: links are found again in a body changed
// after it was parsed.
func TestBodyWithLinksAfterChange(t *testing.T) {
	c, _, err := Load(fstest.MapFS{
		"a/un.md":   {Data: []byte("---\nid: un\ntitle: Un\n---\nVoir [deux](../b/deux.md).\n")},
		"b/deux.md": {Data: []byte("---\nid: deux\ntitle: Deux\n---\nTexte.\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	a := c.Articles[0]
	a.Body = "Autre texte, puis [la suite](../b/deux.md) et [rien](rien.md)."
	got := a.BodyWithLinks(func(id string) string { return "/help/" + id })
	if want := "Autre texte, puis [la suite](/help/deux) et rien."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// FuzzBodyWithLinks: the links of any body are replaced as one pass of
// linkRe over the text replaces them.
func FuzzBodyWithLinks(f *testing.F) {
	f.Add("Voir [deux](../b/deux.md#x), [absent](absent.md) et [site](https://example.org).")
	f.Add("[a](deux.md)[b](deux.md) [[c](deux.md)] [d](<deux.md>) [e]( deux.md)")
	f.Add("")
	f.Fuzz(func(t *testing.T, body string) {
		c, _, err := Load(fstest.MapFS{
			"a/un.md":   {Data: []byte("---\nid: un\ntitle: Un\n---\nTexte.\n\n" + body + "\n")},
			"a/deux.md": {Data: []byte("---\nid: deux\ntitle: Deux\n---\nTexte.\n")},
		})
		if err != nil {
			t.Skip()
		}
		for _, a := range c.Articles {
			url := func(id string) string { return "/help/" + id }
			want := linkRe.ReplaceAllStringFunc(a.Body, func(m string) string {
				sub := linkRe.FindStringSubmatch(m)
				dest, ok := articleLink(sub[2])
				if !ok {
					return m
				}
				if id, ok := a.linkIDs[dest]; ok {
					return "[" + sub[1] + "](" + url(id) + ")"
				}
				return sub[1]
			})
			if len(a.links) == 0 {
				want = a.Body
			}
			if got := a.BodyWithLinks(url); got != want {
				t.Fatalf("body %q: got %q, want %q", a.Body, got, want)
			}
		}
	})
}

// TestArticleWithoutComments: an editors' HTML comment is not part of the
// body, and the lines after it keep their numbers.
func TestArticleWithoutComments(t *testing.T) {
	a, problems := ParseArticle("note.md", []byte("---\ntitle: Une note\n---\nAvant.\n<!-- note interne,\nsur deux lignes -->\nAprès.\n"))
	if a == nil || len(problems) > 0 {
		t.Fatal(problems)
	}
	if strings.Contains(a.Body, "note interne") || strings.Contains(a.Text(), "note interne") {
		t.Errorf("the comment is in the body: %q", a.Body)
	}
	if a.Body != "Avant.\n\n\nAprès.\n" {
		t.Errorf("body %q: the lines after the comment moved", a.Body)
	}
}
