//go:build !unix

package pgtest

import "errors"

// cluster is a throwaway server; there is none on this system.
type cluster struct{ url string }

func startCluster() (*cluster, error) {
	return nil, errors.New("pgtest: DATABASE_URL is not set, and throwaway servers need a Unix system: set DATABASE_URL to a server where the user may create databases")
}

func (c *cluster) stop() error { return nil }
