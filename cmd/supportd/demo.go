package main

import (
	"embed"
	"io/fs"
	"log/slog"
	"path/filepath"

	"github.com/supportd/supportd/kb"
)

//go:embed demo/kb demo/orders.yaml
var demoFiles embed.FS

// demoKB is the built-in French demo knowledge base.
func demoKB() fs.FS {
	sub, err := fs.Sub(demoFiles, "demo/kb")
	if err != nil {
		panic(err)
	}
	return sub
}

// openKB opens the knowledge base in dir, or the demo one when dir is
// empty.
func openKB(dir string, logger *slog.Logger) (*kb.Base, error) {
	return openKBIndexed(dir, "", logger)
}

// openKBIndexed opens the knowledge base in dir, keeping its index in
// indexDir between starts when it is set, or the demo one when dir is
// empty.
func openKBIndexed(dir, indexDir string, logger *slog.Logger) (*kb.Base, error) {
	if dir == "" {
		return kb.Open(kb.Config{FS: demoKB(), Logger: logger})
	}
	return kb.Open(kb.Config{Dir: dir, Logger: logger, IndexDir: indexDir})
}

// kbIndexDir returns the folder where serve keeps the knowledge base's
// index (--kb-index), or "" for none: the demo knowledge base is small
// enough to index at each start.
func (c serveConfig) kbIndexDir() string {
	switch {
	case c.kbDir == "" || c.kbIndex == "off":
		return ""
	case c.kbIndex != "":
		return c.kbIndex
	}
	return filepath.Join(c.dataDir, "kb-index")
}
