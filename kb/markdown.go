package kb

import (
	"bytes"
	"net/url"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// link is a relative link from an article body to another article file.
type link struct {
	target string // as written, without any #fragment
	line   int    // 1-based line inside the body
}

var markdown = goldmark.New()

// parseMarkdown returns the plain text of a markdown body, with block
// boundaries as newlines, and the relative links to other .md files.
func parseMarkdown(body string) (string, []link) {
	src := []byte(body)
	doc := markdown.Parser().Parse(text.NewReader(src))
	var out strings.Builder
	var links []link
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.Text:
			if entering {
				out.Write(n.Segment.Value(src))
				if n.SoftLineBreak() || n.HardLineBreak() {
					out.WriteByte(' ')
				}
			}
		case *ast.String:
			if entering {
				out.Write(n.Value)
			}
		case *ast.CodeSpan:
			// Its text children are walked as Text nodes.
		case *ast.Link:
			if entering {
				if dest, ok := articleLink(string(n.Destination)); ok {
					links = append(links, link{target: dest, line: nodeLine(n, src)})
				}
			}
		case *ast.AutoLink:
			if entering {
				out.Write(n.URL(src))
			}
		default:
			if !entering && n.Type() == ast.TypeBlock {
				out.WriteByte('\n')
			}
			if entering && n.Kind() == ast.KindFencedCodeBlock || entering && n.Kind() == ast.KindCodeBlock {
				lines := n.Lines()
				for i := 0; i < lines.Len(); i++ {
					seg := lines.At(i)
					out.Write(seg.Value(src))
				}
			}
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(collapseBlankLines(out.String())), links
}

// articleLink reports whether a link destination points at another article
// of the knowledge base, and returns it without its fragment.
func articleLink(dest string) (string, bool) {
	if dest == "" || strings.HasPrefix(dest, "#") || strings.HasPrefix(dest, "/") {
		return "", false
	}
	u, err := url.Parse(dest)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "", false
	}
	p, err := url.PathUnescape(u.Path)
	if err != nil || !strings.HasSuffix(strings.ToLower(p), ".md") {
		return "", false
	}
	return p, true
}

// nodeLine finds the line of an inline node from the first text segment
// under it, or of its block parent.
func nodeLine(n ast.Node, src []byte) int {
	offset := -1
	for c := n.FirstChild(); c != nil && offset < 0; c = c.NextSibling() {
		if t, ok := c.(*ast.Text); ok {
			offset = t.Segment.Start
		}
	}
	for p := n.Parent(); offset < 0 && p != nil; p = p.Parent() {
		if p.Type() == ast.TypeBlock && p.Lines().Len() > 0 {
			offset = p.Lines().At(0).Start
		}
	}
	if offset < 0 {
		return 1
	}
	return 1 + bytes.Count(src[:offset], []byte("\n"))
}

func collapseBlankLines(s string) string {
	for strings.Contains(s, "\n\n\n") {
		s = strings.ReplaceAll(s, "\n\n\n", "\n\n")
	}
	return s
}

// RenderHTML renders a markdown body to HTML. Raw HTML in the markdown is
// not passed through (goldmark's default), so the result is safe to show.
func RenderHTML(body string) (string, error) {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(body), &buf); err != nil {
		return "", err
	}
	return buf.String(), nil
}
