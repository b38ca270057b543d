package kb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// ErrHasQuestion is returned by [AddQuestion] when the article already
// lists the question.
var ErrHasQuestion = errors.New("kb: the article already has this question")

// AddQuestion returns the article file data with question added to the
// questions of its front matter, the rest of the file as it was, byte for
// byte: an editor who accepts a phrasing that customers used sees one
// line added in the diff. It keeps the list's style (a block list gets an
// item, a one-line [a, b] list an element, a single text becomes a list)
// and its indentation, and adds a block list before the closing --- when
// the article has no questions. Errors: ErrHasQuestion, or one that says
// why the file cannot be edited safely (no front matter, a list spread
// over several lines in brackets).
func AddQuestion(data []byte, question string) ([]byte, error) {
	question = strings.Join(strings.Fields(question), " ")
	switch {
	case question == "":
		return nil, errors.New("kb: empty question")
	case !utf8.ValidString(question) || strings.ContainsFunc(question, unicode.IsControl):
		return nil, errors.New("kb: the question is not plain text")
	}
	text := string(data)
	nl := "\n"
	if strings.Contains(text, "\r\n") {
		nl = "\r\n"
	}
	lines := strings.SplitAfter(text, "\n")
	if len(lines) == 0 || strings.TrimRight(strings.TrimPrefix(lines[0], "\uFEFF"), "\r\n") != "---" {
		return nil, errors.New("kb: no front matter")
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if strings.TrimRight(lines[i], "\r\n") == "---" {
			end = i
			break
		}
	}
	if end < 0 {
		return nil, errors.New("kb: front matter is not closed by a line with ---")
	}
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(strings.Join(lines[1:end], "")), &root); err != nil {
		return nil, fmt.Errorf("kb: bad front matter: %w", err)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		// An empty front matter: the list is its only field.
		return insertLines(lines, end, "questions:"+nl+"  - "+quoteYAML(question)+nl), nil
	}
	doc := root.Content[0]
	for i := 0; i+1 < len(doc.Content); i += 2 {
		key, value := doc.Content[i], doc.Content[i+1]
		if key.Value != "questions" {
			continue
		}
		// Lines of the node, counted in the file (the front matter
		// starts on the file's second line).
		keyLine := key.Line
		switch value.Kind {
		case yaml.SequenceNode:
			for _, item := range value.Content {
				if strings.EqualFold(strings.TrimSpace(item.Value), question) {
					return nil, ErrHasQuestion
				}
			}
			if value.Style&yaml.FlowStyle != 0 {
				return addToFlowList(lines, keyLine, value, question)
			}
			if len(value.Content) == 0 {
				return nil, errors.New("kb: empty questions list")
			}
			last := value.Content[len(value.Content)-1]
			itemLine := lines[last.Line]
			indent := itemLine[:strings.Index(itemLine, "-")]
			at := nextKeyLine(doc, i, end, lines)
			return insertLines(lines, at, indent+"- "+quoteYAML(question)+nl), nil
		case yaml.ScalarNode:
			if strings.EqualFold(strings.TrimSpace(value.Value), question) {
				return nil, ErrHasQuestion
			}
			if value.Line != keyLine || value.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
				return nil, errors.New("kb: questions is a text over several lines; make it a list")
			}
			old := lines[keyLine]
			lines[keyLine] = "questions:" + nl + "  - " + quoteYAML(value.Value) + nl + "  - " + quoteYAML(question) + nl
			if !strings.HasPrefix(old, "questions:") {
				return nil, errors.New("kb: questions is indented; edit the file by hand")
			}
			return []byte(strings.Join(lines, "")), nil
		default:
			return nil, errors.New("kb: questions is neither a list nor a text")
		}
	}
	return insertLines(lines, end, "questions:"+nl+"  - "+quoteYAML(question)+nl), nil
}

// nextKeyLine returns the file line where an item added to the block list
// of field i goes: where the next field starts (or the closing ---), before
// the blank and comment lines that lead to it.
func nextKeyLine(doc *yaml.Node, i, end int, lines []string) int {
	at := end
	if i+2 < len(doc.Content) {
		at = doc.Content[i+2].Line
	}
	// Blank and comment lines just before the next field belong to it.
	for at-1 > doc.Content[i+1].Content[len(doc.Content[i+1].Content)-1].Line {
		l := strings.TrimSpace(lines[at-1])
		if l != "" && !strings.HasPrefix(l, "#") {
			break
		}
		at--
	}
	return at
}

// addToFlowList adds question to a one-line [a, b] list.
func addToFlowList(lines []string, keyLine int, value *yaml.Node, question string) ([]byte, error) {
	line := lines[keyLine]
	if value.Line != keyLine || strings.Count(line, "[") != 1 || strings.Count(line, "]") != 1 {
		return nil, errors.New("kb: the questions list spreads over several lines; make it a block list")
	}
	closing := strings.LastIndex(line, "]")
	inner := strings.TrimSpace(line[strings.Index(line, "[")+1 : closing])
	sep := ", "
	if inner == "" {
		sep = ""
	}
	lines[keyLine] = line[:closing] + sep + quoteYAML(question) + line[closing:]
	return []byte(strings.Join(lines, "")), nil
}

// insertLines returns lines with text inserted before line at.
func insertLines(lines []string, at int, text string) []byte {
	out := make([]string, 0, len(lines)+1)
	out = append(out, lines[:at]...)
	out = append(out, text)
	out = append(out, lines[at:]...)
	return []byte(strings.Join(out, ""))
}

// quoteYAML quotes s as a YAML double-quoted scalar (a JSON string is
// one).
func quoteYAML(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSpace(b.String())
}
