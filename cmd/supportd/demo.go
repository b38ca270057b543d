package main

import (
	"embed"
	"io/fs"
	"log/slog"

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
	if dir == "" {
		return kb.Open(kb.Config{FS: demoKB(), Logger: logger})
	}
	return kb.Open(kb.Config{Dir: dir, Logger: logger})
}
