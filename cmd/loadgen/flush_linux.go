package main

import (
	"os"
	"syscall"
)

// flushData flushes a file's data, as bbolt does at a commit on Linux
// (fdatasync: not the times of the file, which would add a journal write).
func flushData(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
