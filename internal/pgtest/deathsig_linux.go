package pgtest

import "syscall"

// setDeathSignal has the kernel stop the server (immediate shutdown) when
// the test binary dies without stopping it.
func setDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGQUIT
}
