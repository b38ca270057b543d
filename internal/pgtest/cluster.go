//go:build unix

package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// installHint tells how to get a server when none is found.
const installHint = "install PostgreSQL (apt-get install postgresql, or run .ci/ensure-postgres as root) or set DATABASE_URL to a server where the user may create databases"

// tempPrefix starts the names of the servers' temporary folders.
const tempPrefix = "supportd-pgtest-"

// cluster is a throwaway server, a child process of the test binary.
type cluster struct {
	dir  string // temporary folder: data/, the socket, postgres.log
	url  string // of the database postgres
	proc *os.Process
	done chan struct{} // closed when the server has exited
}

// startCluster creates a cluster in a temporary folder and starts its
// server.
func startCluster() (*cluster, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	removeStale()
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		// initdb and postgres refuse to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("pgtest: running as root, PostgreSQL must run as another user, and the user postgres is missing (%v): create it (useradd --system postgres), run the tests as another user, or set DATABASE_URL", err)
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	dir, err := os.MkdirTemp("", tempPrefix)
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	c, err := newCluster(bin, dir, cred)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

func newCluster(bin, dir string, cred *syscall.Credential) (*cluster, error) {
	// owner lets a later run remove the folder if this process dies
	// without stopping the server (see removeStale).
	if err := os.WriteFile(filepath.Join(dir, "owner"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, fmt.Errorf("pgtest: %w", err)
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	initdb.Dir = dir
	initdb.SysProcAttr = sysProcAttr(cred)
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pgtest: %s: %w\n%s", initdb, err, out)
	}

	logPath := filepath.Join(dir, "postgres.log")
	log, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	defer log.Close()
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data,
		"-c", "listen_addresses=", "-c", "unix_socket_directories="+dir,
		"-c", "fsync=off", "-c", "max_connections=200")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = sysProcAttr(cred)
	cmd.SysProcAttr.Setpgid = true // Ctrl-C reaches the test binary, which stops the server
	setDeathSignal(cmd.SysProcAttr)

	c := &cluster{
		dir:  dir,
		url:  "postgres://postgres@/postgres?" + url.Values{"host": {dir}, "sslmode": {"disable"}}.Encode(),
		done: make(chan struct{}),
	}
	started := make(chan error, 1)
	go func() {
		// The death signal is sent when the thread that started the
		// server ends: keep this goroutine, and its thread, until the
		// server exits.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		cmd.Wait()
		close(c.done)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("pgtest: %s: %w", cmd, err)
	}
	c.proc = cmd.Process
	if err := c.waitReady(time.Minute); err != nil {
		c.stop()
		logText, _ := os.ReadFile(logPath)
		return nil, fmt.Errorf("pgtest: server in %s: %w\n%s", dir, err, logText)
	}
	return c, nil
}

// waitReady waits until the server accepts connections.
func (c *cluster) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, err := pgx.Connect(ctx, c.url)
		cancel()
		if err == nil {
			return conn.Close(context.Background())
		}
		select {
		case <-c.done:
			return errors.New("the server exited")
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %v: %w", timeout, err)
		}
	}
}

// stop stops the server at once (its data is thrown away) and removes
// the folder.
func (c *cluster) stop() error {
	if c.proc != nil {
		c.proc.Signal(syscall.SIGQUIT) // immediate shutdown
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			c.proc.Kill()
			<-c.done
		}
	}
	return os.RemoveAll(c.dir)
}

// sysProcAttr runs a command as cred's user, when cred is not nil.
func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred}
}

// removeStale removes the folders of throwaway servers whose test binary
// died without stopping them (killed, or timed out); the death signal
// stopped their servers.
func removeStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, "owner"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(dir)
		}
	}
}

// findBinaries returns the folder of the newest PostgreSQL server
// binaries (initdb and postgres) in PATH and the usual places.
func findBinaries() (string, error) {
	dirs := filepath.SplitList(os.Getenv("PATH"))
	for _, pattern := range []string{
		"/usr/lib/postgresql/*/bin", // Debian, Ubuntu
		"/usr/pgsql-*/bin",          // PGDG packages for Red Hat
		"/usr/local/pgsql/bin",      // built from source
		"/opt/homebrew/opt/postgresql*/bin",
		"/usr/local/opt/postgresql*/bin",
	} {
		found, _ := filepath.Glob(pattern)
		dirs = append(dirs, found...)
	}
	var (
		best    string
		bestVer []int
		seen    = make(map[string]bool)
	)
	for _, dir := range dirs {
		if dir == "" {
			continue
		}
		initdb, err := filepath.EvalSymlinks(filepath.Join(dir, "initdb"))
		if err != nil {
			continue
		}
		bin := filepath.Dir(initdb)
		if seen[bin] {
			continue
		}
		seen[bin] = true
		out, err := exec.Command(filepath.Join(bin, "postgres"), "--version").Output()
		if err != nil {
			continue
		}
		if v := parseVersion(out); best == "" || slices.Compare(v, bestVer) > 0 {
			best, bestVer = bin, v
		}
	}
	if best == "" {
		return "", errors.New("pgtest: DATABASE_URL is not set and no PostgreSQL server binaries (initdb, postgres) are in PATH or /usr/lib/postgresql/*/bin: " + installHint)
	}
	return best, nil
}

// parseVersion reads the version in "postgres (PostgreSQL) 15.20 (Debian
// 15.20-0+deb12u1)" as [15 20].
func parseVersion(out []byte) []int {
	for _, field := range bytes.Fields(out) {
		var v []int
		for part := range strings.SplitSeq(string(field), ".") {
			end := 0
			for end < len(part) && '0' <= part[end] && part[end] <= '9' {
				end++
			}
			n, err := strconv.Atoi(part[:end])
			if err != nil {
				break
			}
			v = append(v, n)
		}
		if len(v) > 0 {
			return v
		}
	}
	return nil
}
