//go:build race

package accesslog

// raceEnabled is true under the race detector, which makes sync.Pool (and
// so regexp) allocate at random.
const raceEnabled = true
