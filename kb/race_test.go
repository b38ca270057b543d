//go:build race

package kb

// raceEnabled is true when the tests run under the race detector, which
// makes them ten times slower: the heaviest tests then use smaller data.
const raceEnabled = true
