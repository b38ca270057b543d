package kb

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestAddQuestion(t *testing.T) {
	for _, test := range []struct {
		name, in, want string
	}{
		{"block list", "---\ntitle: Délais\nquestions:\n  - Quand vais-je recevoir mon colis ?\n# à revoir\ntags: [a]\n---\nCorps.\n",
			"---\ntitle: Délais\nquestions:\n  - Quand vais-je recevoir mon colis ?\n  - \"c quand que ça arrive\"\n# à revoir\ntags: [a]\n---\nCorps.\n"},
		{"block list, other indent, last field", "---\ntitle: T\nquestions:\n    - a\n    - b\n\n---\nCorps.\n",
			"---\ntitle: T\nquestions:\n    - a\n    - b\n    - \"c quand que ça arrive\"\n\n---\nCorps.\n"},
		{"flow list", "---\ntitle: T\nquestions: [a, \"b\"]   # deux\n---\nCorps.\n",
			"---\ntitle: T\nquestions: [a, \"b\", \"c quand que ça arrive\"]   # deux\n---\nCorps.\n"},
		{"empty flow list", "---\ntitle: T\nquestions: []\n---\n",
			"---\ntitle: T\nquestions: [\"c quand que ça arrive\"]\n---\n"},
		{"one text", "---\ntitle: T\nquestions: Où est mon colis ?\nlang: fr\n---\nCorps.\n",
			"---\ntitle: T\nquestions:\n  - \"Où est mon colis ?\"\n  - \"c quand que ça arrive\"\nlang: fr\n---\nCorps.\n"},
		{"no questions", "---\ntitle: T\ntags: [x]\n---\nCorps.\n",
			"---\ntitle: T\ntags: [x]\nquestions:\n  - \"c quand que ça arrive\"\n---\nCorps.\n"},
		{"CRLF", "---\r\ntitle: T\r\n---\r\nCorps.\r\n",
			"---\r\ntitle: T\r\nquestions:\r\n  - \"c quand que ça arrive\"\r\n---\r\nCorps.\r\n"},
	} {
		t.Run(test.name, func(t *testing.T) {
			got, err := AddQuestion([]byte(test.in), "  c quand  que ça arrive ")
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != test.want {
				t.Errorf("got\n%s\nwant\n%s", got, test.want)
			}
			checkAdded(t, test.in, got, "c quand que ça arrive")
		})
	}
}

func TestAddQuestionRefuses(t *testing.T) {
	for _, test := range []struct {
		in   string
		want error
	}{
		{"---\ntitle: T\nquestions: [\"Quand ?\"]\n---\n", ErrHasQuestion},
		{"---\ntitle: T\nquestions:\n  - quand ?\n---\n", ErrHasQuestion},
		{"pas de front matter\n", nil},
		{"---\ntitle: T\nquestions: [a,\n  b]\n---\n", nil},
		{"---\ntitle: T\nquestions: |\n  a\n---\n", nil},
		{"---\ntitle: T\n", nil},
	} {
		_, err := AddQuestion([]byte(test.in), "Quand ?")
		if err == nil || test.want != nil && !errors.Is(err, test.want) {
			t.Errorf("AddQuestion(%q): %v, want an error (%v)", test.in, err, test.want)
		}
	}
	if _, err := AddQuestion([]byte("---\ntitle: T\n---\n"), "  "); err == nil {
		t.Error("an empty question was added")
	}
}

// checkAdded checks that after has the questions of before and q, and the
// same title and body.
func checkAdded(t *testing.T, before string, after []byte, q string) {
	t.Helper()
	a, _ := ParseArticle("a.md", []byte(before))
	b, problems := ParseArticle("a.md", after)
	if a == nil || b == nil {
		t.Fatalf("parse: before %v, after %v (%v)", a, b, problems)
	}
	if want := append(slices.Clone(a.Questions), q); !slices.Equal(b.Questions, want) {
		t.Errorf("questions %q, want %q", b.Questions, want)
	}
	if a.Title != b.Title || a.Body != b.Body || !slices.Equal(a.Tags, b.Tags) || a.Lang != b.Lang {
		t.Errorf("the article changed beyond its questions:\n%+v\n%+v", a, b)
	}
}

// FuzzAddQuestion: whatever the file, AddQuestion either refuses it or
// adds exactly the question, the article otherwise the same.
func FuzzAddQuestion(f *testing.F) {
	f.Add("---\ntitle: T\nquestions:\n  - a\n---\nCorps.\n", "b")
	f.Add("---\ntitle: T\nquestions: [a]\n---\n", "b \"c\"")
	f.Add("---\ntitle: T\n---\n", "#x: y")
	f.Fuzz(func(t *testing.T, in, q string) {
		a, _ := ParseArticle("a.md", []byte(in))
		out, err := AddQuestion([]byte(in), q)
		if err != nil || a == nil {
			return
		}
		q = strings.Join(strings.Fields(q), " ")
		b, _ := ParseArticle("a.md", out)
		if b == nil {
			t.Fatalf("AddQuestion(%q, %q) made a file that does not parse:\n%s", in, q, out)
		}
		want := append(slices.Clone(a.Questions), q)
		if !slices.Equal(b.Questions, want) || a.Title != b.Title || a.Body != b.Body {
			t.Fatalf("AddQuestion(%q, %q):\n%s\nquestions %q, want %q", in, q, out, b.Questions, want)
		}
	})
}
