package web

import (
	"bytes"
	"fmt"
	"io/fs"
	"time"
)

// The widget and the agent console render messages with one safe
// markdown renderer, static/markdown.js, which each script names with a
// line of its own, sharedMarkdown. The server puts the file there when it
// starts (assembleStatic), so that there is one renderer to fix, not one
// per page, and each page still loads one script.
const sharedMarkdown = "  /* supportd:markdown */\n"

// includesMarkdown are the scripts that include static/markdown.js.
var includesMarkdown = []string{"widget.js", "console.js"}

// assembleStatic returns the static files as they are served: the
// scripts of includesMarkdown with markdown.js in place of their
// sharedMarkdown line, and markdown.js itself not served alone.
func assembleStatic(static fs.FS) (fs.FS, error) {
	shared, err := fs.ReadFile(static, "markdown.js")
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, name := range includesMarkdown {
		src, err := fs.ReadFile(static, name)
		if err != nil {
			return nil, err
		}
		if n := bytes.Count(src, []byte(sharedMarkdown)); n != 1 {
			return nil, fmt.Errorf("web: static/%s names markdown.js %d times, want once", name, n)
		}
		files[name] = bytes.Replace(src, []byte(sharedMarkdown), shared, 1)
	}
	return assembledFS{static, files}, nil
}

// assembledFS is a file system whose files are base's, except those of
// files, which replace base's, and markdown.js, which is not there.
type assembledFS struct {
	base  fs.FS
	files map[string][]byte
}

func (a assembledFS) Open(name string) (fs.File, error) {
	if name == "markdown.js" {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	if data, ok := a.files[name]; ok {
		return &memFile{Reader: bytes.NewReader(data), name: name, size: int64(len(data))}, nil
	}
	return a.base.Open(name)
}

// memFile is a file held in memory; it can seek, as net/http's file
// server needs to answer ranges.
type memFile struct {
	*bytes.Reader
	name string
	size int64
}

func (f *memFile) Stat() (fs.FileInfo, error) { return memInfo{f.name, f.size}, nil }
func (f *memFile) Close() error               { return nil }

// memInfo describes a memFile.
type memInfo struct {
	name string
	size int64
}

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) Mode() fs.FileMode  { return 0o444 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }
