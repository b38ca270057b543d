package web

import (
	"bytes"
	"fmt"
	"io/fs"
)

// The widget and the agent console render messages with one safe
// markdown renderer, static/markdown.js, which each script names with a
// line of its own, sharedMarkdown. The server puts the file there when it
// starts (assembleScripts), so that there is one renderer to fix, not one
// per page, and each page still loads one script.
const sharedMarkdown = "  /* supportd:markdown */\n"

// includesMarkdown are the scripts that include static/markdown.js.
var includesMarkdown = []string{"widget.js", "console.js"}

// assembleScripts returns the scripts of includesMarkdown as they are
// served, by name: markdown.js in place of their sharedMarkdown line.
func assembleScripts(static fs.FS) (map[string][]byte, error) {
	shared, err := fs.ReadFile(static, "markdown.js")
	if err != nil {
		return nil, err
	}
	scripts := map[string][]byte{}
	for _, name := range includesMarkdown {
		src, err := fs.ReadFile(static, name)
		if err != nil {
			return nil, err
		}
		if n := bytes.Count(src, []byte(sharedMarkdown)); n != 1 {
			return nil, fmt.Errorf("web: static/%s names markdown.js %d times, want once", name, n)
		}
		scripts[name] = bytes.Replace(src, []byte(sharedMarkdown), shared, 1)
	}
	return scripts, nil
}
