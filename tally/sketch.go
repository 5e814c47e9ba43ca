package tally

import (
	"errors"
	"fmt"
	"time"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/DataDog/sketches-go/ddsketch/mapping"
	"github.com/DataDog/sketches-go/ddsketch/store"
)

// RelativeAccuracy is the relative error bound of a Sketch's quantiles.
const RelativeAccuracy = 0.01

// MaxBinIndex bounds the bin indexes a Sketch accepts from outside
// ([Sketch.AddBin]): with RelativeAccuracy 1%, index i covers durations
// near 1.0202^i ms, so ±2000 spans far more than 1 µs to 10⁶ s.
const MaxBinIndex = 2000

// Sketch summarises durations, in milliseconds, so that quantiles can be
// read with a relative error of at most RelativeAccuracy. It is a DDSketch
// whose bins can be listed and rebuilt exactly ([Sketch.Bins],
// [Sketch.AddBin]), which is how it crosses the wire. The zero Sketch is
// not usable: use NewSketch.
type Sketch struct {
	s *ddsketch.DDSketch
}

// newMapping is the one index mapping every Sketch uses, so that any two
// merge.
func newMapping() mapping.IndexMapping {
	m, err := mapping.NewLogarithmicMapping(RelativeAccuracy)
	if err != nil {
		panic(err) // a constant accuracy in (0, 1) cannot fail
	}
	return m
}

// NewSketch returns an empty Sketch.
func NewSketch() *Sketch {
	return &Sketch{s: ddsketch.NewDDSketchFromStoreProvider(newMapping(), store.BufferedPaginatedStoreConstructor)}
}

// Add adds one duration. Durations below 1 µs count as zero; above 10⁶ s
// as 10⁶ s.
func (s *Sketch) Add(d time.Duration) {
	ms := float64(d) / float64(time.Millisecond)
	if d < time.Microsecond {
		ms = 0
	}
	ms = min(ms, 1e9)
	_ = s.s.Add(ms) // cannot fail: finite, non-negative, within the mapping's range
}

// Count returns how many durations were added.
func (s *Sketch) Count() uint64 { return uint64(s.s.GetCount()) }

// Quantile returns the duration, in milliseconds, at quantile q (0–1); 0
// for an empty sketch.
func (s *Sketch) Quantile(q float64) float64 {
	v, err := s.s.GetValueAtQuantile(q)
	if err != nil {
		return 0
	}
	return v
}

// Merge adds o's durations to s.
func (s *Sketch) Merge(o *Sketch) {
	_ = s.s.MergeWith(o.s) // cannot fail: both use the same mapping
}

// Zero returns how many durations were below 1 µs.
func (s *Sketch) Zero() uint64 { return uint64(s.s.GetZeroCount()) }

// Bins calls fn for each non-empty bin, by increasing index.
func (s *Sketch) Bins(fn func(index int, count uint64)) {
	s.s.GetPositiveValueStore().ForEach(func(i int, c float64) bool {
		if c > 0 {
			fn(i, uint64(c))
		}
		return false
	})
}

// AddBin adds count durations to the bin of index; index MaxBinIndex+1 …
// is refused, and so is -MaxBinIndex-1 … .
func (s *Sketch) AddBin(index int, count uint64) error {
	if index < -MaxBinIndex || index > MaxBinIndex {
		return fmt.Errorf("sketch bin %d out of range", index)
	}
	if count == 0 || count > 1<<53 {
		return errors.New("sketch bin count out of range")
	}
	s.s.GetPositiveValueStore().AddWithCount(index, float64(count))
	return nil
}

// AddZero adds count durations below 1 µs.
func (s *Sketch) AddZero(count uint64) error {
	if count > 1<<53 {
		return errors.New("sketch zero count out of range")
	}
	_ = s.s.AddWithCount(0, float64(count))
	return nil
}

// Equal reports whether s and o hold the same bins.
func (s *Sketch) Equal(o *Sketch) bool {
	if s == nil || o == nil {
		return s == o
	}
	if s.Zero() != o.Zero() || s.Count() != o.Count() {
		return false
	}
	type bin struct {
		i int
		c uint64
	}
	var a, b []bin
	s.Bins(func(i int, c uint64) { a = append(a, bin{i, c}) })
	o.Bins(func(i int, c uint64) { b = append(b, bin{i, c}) })
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}
