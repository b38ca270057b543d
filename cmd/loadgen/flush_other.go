//go:build !linux

package main

import "os"

// flushData flushes a file's data (and, off Linux, its metadata too).
func flushData(f *os.File) error { return f.Sync() }
