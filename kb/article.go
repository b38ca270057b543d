package kb

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Languages lists the languages an article may declare in its front matter.
// The first is the default.
var Languages = []string{"fr", "en"}

// MaxArticleSize is the largest article file, in bytes, that is read; a
// larger file is reported and skipped.
const MaxArticleSize = 1 << 20

// Article is one FAQ entry: the front matter fields and the markdown body.
type Article struct {
	// ID identifies the article; it defaults to its path without ".md".
	ID string
	// Path is the slash-separated path of the file inside the knowledge base.
	Path     string
	Title    string
	Category string
	Tags     []string
	// Questions are other ways customers ask what the article answers.
	Questions []string
	// Lang is one of [Languages].
	Lang    string
	Updated string
	// Status is "published" unless the front matter says otherwise; only
	// published articles are indexed.
	Status string
	// Featured articles (featured: true) are offered on the chat's start
	// screen until real traffic says which questions are asked most.
	Featured bool
	// Body is the markdown after the front matter, without its HTML
	// comments: editors' notes, shown to nobody.
	Body string
	// BodyLine is the line of the file on which Body starts.
	BodyLine int
	// Extra keeps the front matter fields this package does not know.
	Extra map[string]any

	// text is Body as plain text, and links the relative links it holds;
	// both are derived once when the article is parsed.
	text  string
	links []link
	// linkSpans are the positions of the links of linksOf, Body as it
	// was parsed (see [Article.BodyWithLinks]), found once.
	linkSpans [][]int
	linksOf   string
	// linkIDs maps the links that point at another article to its id;
	// Load fills it.
	linkIDs map[string]string
	// sum identifies the file: its path and content. An article whose
	// sum is unchanged keeps its analysis from one index to the next.
	sum [32]byte
}

// fileSum is the SHA-256 of a file's path and content.
func fileSum(name string, data []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write(data)
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// Published reports whether the article is served to customers.
func (a *Article) Published() bool { return a.Status != "draft" }

// BodyWithLinks returns the markdown body with each link to another
// article replaced by url(id) for that article's id; a link to a file
// that is not an article keeps only its text.
func (a *Article) BodyWithLinks(url func(id string) string) string {
	if len(a.links) == 0 {
		return a.Body
	}
	spans := a.linkSpans
	if a.Body != a.linksOf {
		spans = linkRe.FindAllStringSubmatchIndex(a.Body, -1)
	}
	var b strings.Builder
	b.Grow(len(a.Body))
	last := 0
	for _, m := range spans {
		b.WriteString(a.Body[last:m[0]])
		last = m[1]
		text := a.Body[m[2]:m[3]]
		dest, ok := articleLink(a.Body[m[4]:m[5]])
		if !ok {
			b.WriteString(a.Body[m[0]:m[1]])
			continue
		}
		if id, ok := a.linkIDs[dest]; ok {
			b.WriteString("[" + text + "](" + url(id) + ")")
			continue
		}
		b.WriteString(text)
	}
	b.WriteString(a.Body[last:])
	return b.String()
}

// htmlComment matches an HTML comment: an editors' note in an article,
// never shown to customers nor given to a language model.
var htmlComment = regexp.MustCompile(`(?s)<!--.*?-->`)

// withoutComments removes the HTML comments of a body, keeping their line
// breaks so that the lines of what follows stay where the file has them.
func withoutComments(body string) string {
	if !strings.Contains(body, "<!--") {
		return body
	}
	return htmlComment.ReplaceAllStringFunc(body, func(c string) string {
		return strings.Repeat("\n", strings.Count(c, "\n"))
	})
}

// linkRe matches an inline markdown link: [text](destination).
var linkRe = regexp.MustCompile(`\[([^\]]*)\]\(([^)\s]+)\)`)

// Text returns the body as plain text, without markdown syntax.
func (a *Article) Text() string { return a.text }

// Problem is a mistake found in a knowledge-base file.
type Problem struct {
	Path    string
	Line    int
	Message string
}

// String formats the problem as "path:line: message", the form editors'
// tools understand.
func (p Problem) String() string {
	return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Message)
}

// frontMatter mirrors the known fields of an article's front matter.
type frontMatter struct {
	ID        string    `yaml:"id"`
	Title     string    `yaml:"title"`
	Category  string    `yaml:"category"`
	Tags      stringSet `yaml:"tags"`
	Questions stringSet `yaml:"questions"`
	Lang      string    `yaml:"lang"`
	Updated   string    `yaml:"updated"`
	Status    string    `yaml:"status"`
	Featured  bool      `yaml:"featured"`
}

// stringSet decodes either a YAML sequence of strings or one string.
type stringSet []string

func (s *stringSet) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Value != "" {
			*s = []string{n.Value}
		}
		return nil
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, item := range n.Content {
			if item.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: expected a text, found a %s", item.Line, kindName(item.Kind))
			}
			if v := strings.TrimSpace(item.Value); v != "" {
				out = append(out, v)
			}
		}
		*s = out
		return nil
	}
	return fmt.Errorf("line %d: expected a list of texts, found a %s", n.Line, kindName(n.Kind))
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	}
	return "text"
}

var knownFields = map[string]bool{
	"id": true, "title": true, "category": true, "tags": true, "questions": true,
	"lang": true, "updated": true, "status": true, "featured": true,
}

// ValidID reports whether id can name an article: 1 to 200 characters
// among ASCII letters, digits, '-', '_', '.' and '/', in names separated
// by single slashes, none of them "." or "..". An id goes into links and
// pages (/help/ID), so that it must never climb out of a path.
func ValidID(id string) bool {
	if id == "" || len(id) > 200 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == '/') {
			return false
		}
	}
	for _, part := range strings.Split(id, "/") {
		if part == "" || part == "." || part == ".." {
			return false
		}
	}
	return true
}

// ParseArticle parses one article file. name is its slash-separated path
// inside the knowledge base. It returns the article, or nil when the file
// cannot be used at all, and every problem found; an article with problems
// may still be served.
func ParseArticle(name string, data []byte) (*Article, []Problem) {
	var problems []Problem
	report := func(line int, format string, args ...any) {
		problems = append(problems, Problem{Path: name, Line: line, Message: fmt.Sprintf(format, args...)})
	}
	if bytes.IndexByte(data, 0) >= 0 {
		report(1, "binary file, not markdown text")
		return nil, problems
	}
	if !utf8.Valid(data) {
		report(invalidUTF8Line(data), "not valid UTF-8 text (save the file as UTF-8)")
		return nil, problems
	}
	text := strings.TrimPrefix(string(data), "\uFEFF")
	text = strings.ReplaceAll(text, "\r\n", "\n")

	head, body, bodyLine, ok := splitFrontMatter(text)
	if !ok {
		if strings.HasPrefix(text, "---") {
			report(1, "front matter is not closed by a line with ---")
		} else {
			report(1, "missing front matter: the file must start with a line with ---")
		}
		return nil, problems
	}

	var root yaml.Node
	if err := yaml.Unmarshal([]byte(head), &root); err != nil {
		report(yamlErrorLine(err)+1, "bad front matter: %s", yamlErrorText(err))
		return nil, problems
	}
	var fm frontMatter
	extra := map[string]any{}
	lines := map[string]int{}
	if len(root.Content) > 0 {
		doc := root.Content[0]
		if doc.Kind != yaml.MappingNode {
			report(doc.Line+1, "bad front matter: expected fields such as title: ..., found a %s", kindName(doc.Kind))
			return nil, problems
		}
		for i := 0; i+1 < len(doc.Content); i += 2 {
			key, value := doc.Content[i], doc.Content[i+1]
			lines[key.Value] = key.Line + 1
			if knownFields[key.Value] {
				continue
			}
			var v any
			if err := value.Decode(&v); err == nil {
				extra[key.Value] = v
			}
		}
		if err := doc.Decode(&fm); err != nil {
			report(yamlErrorLine(err)+1, "bad front matter: %s", yamlErrorText(err))
			return nil, problems
		}
	}

	body = withoutComments(body)
	a := &Article{
		ID:        strings.TrimSpace(fm.ID),
		Path:      name,
		Title:     strings.TrimSpace(fm.Title),
		Category:  strings.TrimSpace(fm.Category),
		Tags:      fm.Tags,
		Questions: fm.Questions,
		Featured:  fm.Featured,
		Lang:      strings.ToLower(strings.TrimSpace(fm.Lang)),
		Updated:   strings.TrimSpace(fm.Updated),
		Status:    strings.ToLower(strings.TrimSpace(fm.Status)),
		Body:      body,
		BodyLine:  bodyLine,
	}
	if len(extra) > 0 {
		a.Extra = extra
	}
	if a.ID == "" {
		a.ID = strings.TrimSuffix(name, path.Ext(name))
	}
	if !ValidID(a.ID) {
		report(lineOr(lines, "id", 1), "bad id %q: use letters, digits, '-', '_', '.' and '/' between names, no '..'; this file is skipped", a.ID)
		return nil, problems
	}
	if a.Title == "" {
		report(lineOr(lines, "title", 1), "missing title")
	}
	switch a.Lang {
	case "":
		a.Lang = Languages[0]
	case "fr", "en":
	default:
		report(lineOr(lines, "lang", 1), "unknown lang %q (use fr or en)", a.Lang)
		a.Lang = Languages[0]
	}
	switch a.Status {
	case "":
		a.Status = "published"
	case "published", "draft":
	default:
		report(lineOr(lines, "status", 1), "unknown status %q (use published or draft)", a.Status)
	}
	a.text, a.links = parseMarkdown(body)
	if len(a.links) > 0 {
		a.linkSpans, a.linksOf = linkRe.FindAllStringSubmatchIndex(body, -1), body
	}
	a.sum = fileSum(name, data)
	if strings.TrimSpace(a.text) == "" {
		report(bodyLine, "empty body: write the answer under the front matter")
	}
	return a, problems
}

func lineOr(lines map[string]int, key string, def int) int {
	if l, ok := lines[key]; ok {
		return l
	}
	return def
}

// splitFrontMatter splits "---\nYAML\n---\nBODY". bodyLine is the 1-based
// line on which the body starts.
func splitFrontMatter(text string) (head, body string, bodyLine int, ok bool) {
	first, rest, found := strings.Cut(text, "\n")
	if !found || strings.TrimRight(first, " \t") != "---" {
		return "", "", 0, false
	}
	line := 2
	offset := 0
	for offset <= len(rest) {
		end := strings.IndexByte(rest[offset:], '\n')
		var cur string
		if end < 0 {
			cur = rest[offset:]
		} else {
			cur = rest[offset : offset+end]
		}
		if strings.TrimRight(cur, " \t") == "---" {
			head = rest[:offset]
			if end < 0 {
				return head, "", line + 1, true
			}
			return head, rest[offset+end+1:], line + 1, true
		}
		if end < 0 {
			break
		}
		offset += end + 1
		line++
	}
	return "", "", 0, false
}

// invalidUTF8Line returns the 1-based line of the first invalid byte.
func invalidUTF8Line(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line
}

// yamlErrorLine extracts the 1-based line of the front matter that a YAML
// error names, or 1.
func yamlErrorLine(err error) int {
	msg := err.Error()
	i := strings.Index(msg, "line ")
	if i < 0 {
		return 1
	}
	n := 0
	for _, c := range msg[i+5:] {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	if n == 0 {
		return 1
	}
	return n
}

func yamlErrorText(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "line ") {
		msg = msg[i+2:]
	}
	return strings.ReplaceAll(msg, "\n  ", "; ")
}
