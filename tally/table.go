package tally

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/weblogctl/weblogctl/accesslog"
)

// Defaults and bounds of a Table.
const (
	DefaultMaxGroups = 100_000  // groups per table unless the caller says otherwise
	MaxGroups        = 1 << 20  // the largest group cap a table accepts
	MaxValue         = 8 << 10  // bytes in one key value
	MaxKeyBytes      = 64 << 20 // bytes of key values in one table
)

// Group is the aggregate of the records that share Values, one per key of
// the table.
type Group struct {
	Values []string
	Count  int64 // records
	Bytes  int64 // sum of their response sizes; "-" counts 0
	// Durations holds the durations of those records that logged one; nil
	// when none did.
	Durations *Sketch
}

// merge adds o's counts and durations to g.
func (g *Group) merge(o *Group) {
	g.Count += o.Count
	g.Bytes += o.Bytes
	if o.Durations != nil {
		if g.Durations == nil {
			g.Durations = NewSketch()
		}
		g.Durations.Merge(o.Durations)
	}
}

// add adds one record's bytes and duration to g.
func (g *Group) add(rec *accesslog.Record) {
	g.Count++
	if rec.Bytes > 0 {
		g.Bytes += rec.Bytes
	}
	if rec.Duration >= 0 {
		if g.Durations == nil {
			g.Durations = NewSketch()
		}
		g.Durations.Add(rec.Duration)
	}
}

// Table groups records by its keys. It is not safe for concurrent use.
type Table struct {
	keys      []Key
	max       int
	maxBytes  int // of encoded keys
	groups    map[string]*Group
	keyBytes  int
	truncated bool
	full      bool     // a group could not be made for want of room
	order     []string // the groups' encoded keys, in the order they were made
	scratch   []byte   // the encoded key being looked up
	value     []byte   // the value being encoded
	memo      memo

	// Overflow aggregates the records that no group could take: the table
	// was full, or a value was longer than MaxValue. Its Values are nil.
	Overflow Group
	// Unparsed counts the lines that did not parse as the log's format.
	Unparsed int64
}

// New returns an empty table grouping by keys and holding at most
// maxGroups groups (0: DefaultMaxGroups; more than MaxGroups: MaxGroups).
func New(keys []Key, maxGroups int) *Table {
	if maxGroups <= 0 {
		maxGroups = DefaultMaxGroups
	}
	return &Table{keys: slices.Clone(keys), max: min(maxGroups, MaxGroups), maxBytes: MaxKeyBytes, groups: map[string]*Group{}}
}

// NewPart returns an empty table for one of n parts of a log that are
// counted at once and joined with [Table.Continue]: it has one n-th of
// the room of New(keys, maxGroups), in groups and in key bytes, so that
// the parts together hold no more than one table. A part that fills up
// is refused by Continue, and the log is counted in one pass instead.
func NewPart(keys []Key, maxGroups, n int) *Table {
	t := New(keys, maxGroups)
	n = max(n, 1)
	t.max = max(t.max/n, 1)
	t.maxBytes /= n
	return t
}

// Keys returns the table's keys.
func (t *Table) Keys() []Key { return slices.Clone(t.keys) }

// MaxGroups returns the table's group cap.
func (t *Table) MaxGroups() int { return t.max }

// Len returns the number of groups.
func (t *Table) Len() int { return len(t.groups) }

// Truncated reports whether some records went to Overflow instead of
// their group.
func (t *Table) Truncated() bool { return t.truncated }

// Lines returns how many lines the table counted: every group, the
// overflow and the unparsed lines.
func (t *Table) Lines() int64 {
	n := t.Overflow.Count + t.Unparsed
	for _, g := range t.groups {
		n += g.Count
	}
	return n
}

// Add counts one parsed record.
func (t *Table) Add(rec *accesslog.Record) {
	key := t.scratch[:0]
	for _, k := range t.keys {
		t.value = t.memo.appendValue(t.value[:0], k, rec)
		if len(t.value) > MaxValue {
			t.overflow().add(rec)
			return
		}
		// Length-prefixed, so that no value can forge a boundary.
		key = binary.AppendUvarint(key, uint64(len(t.value)))
		key = append(key, t.value...)
	}
	t.scratch = key
	g := t.groups[string(key)]
	if g == nil {
		g = t.insert(key)
	}
	if g == nil {
		g = t.overflowFull()
	}
	g.add(rec)
}

// AddUnparsed counts one line that did not parse.
func (t *Table) AddUnparsed() { t.Unparsed++ }

func (t *Table) overflow() *Group {
	t.truncated = true
	return &t.Overflow
}

// overflowFull returns the overflow group for a record whose group could not be
// made: the table is full.
func (t *Table) overflowFull() *Group {
	t.full = true
	return t.overflow()
}

// insert makes a new group for the encoded key, or returns nil when the
// table has no room for it.
func (t *Table) insert(key []byte) *Group {
	if !t.hasRoom(len(key)) {
		return nil
	}
	g := &Group{Values: decodeKey(key, len(t.keys))}
	t.put(string(key), g)
	return g
}

// hasRoom reports whether the table can take one more group whose
// encoded key is n bytes long.
func (t *Table) hasRoom(n int) bool {
	return len(t.groups) < t.max && t.keyBytes+n <= t.maxBytes
}

// put adds group g under its encoded key.
func (t *Table) put(key string, g *Group) {
	t.groups[key] = g
	t.order = append(t.order, key)
	t.keyBytes += len(key)
}

func decodeKey(b []byte, n int) []string {
	vals := make([]string, 0, n)
	for len(b) > 0 {
		l, m := binary.Uvarint(b)
		vals = append(vals, string(b[m:m+int(l)]))
		b = b[m+int(l):]
	}
	return vals
}

func encodeKey(dst []byte, values []string) []byte {
	for _, v := range values {
		dst = binary.AppendUvarint(dst, uint64(len(v)))
		dst = append(dst, v...)
	}
	return dst
}

// AddGroup merges g into the table's group of the same values (a group
// from another table of the same keys, e.g. decoded from the wire). When
// the table has no room, g goes to Overflow.
func (t *Table) AddGroup(g *Group) error {
	if len(g.Values) != len(t.keys) {
		return fmt.Errorf("group of %d values in a table of %d keys", len(g.Values), len(t.keys))
	}
	for _, v := range g.Values {
		if len(v) > MaxValue {
			return errors.New("group value longer than the limit")
		}
	}
	key := encodeKey(t.scratch[:0], g.Values)
	t.scratch = key
	dst := t.groups[string(key)]
	if dst == nil {
		dst = t.insert(key)
	}
	if dst == nil {
		dst = t.overflowFull()
	}
	dst.merge(g)
	return nil
}

// Merge adds o's groups, overflow and unparsed lines to t. Counts and
// sums add exactly; so do sketches. The tables must have the same keys.
// When t's cap is hit, the groups that do not fit go to Overflow.
func (t *Table) Merge(o *Table) error {
	if !slices.Equal(t.keys, o.keys) {
		return fmt.Errorf("merge tables grouped by %s and %s", JoinKeys(t.keys), JoinKeys(o.keys))
	}
	for _, g := range o.Groups() {
		if err := t.AddGroup(g); err != nil {
			return err
		}
	}
	if o.truncated {
		t.truncated = true
	}
	t.Overflow.merge(&o.Overflow)
	t.Unparsed += o.Unparsed
	return nil
}

// ErrOrder is returned by [Table.Continue] when o's own group cap was hit:
// some of its records went to its overflow although t may hold their
// group, so no join can give the table of the records added in order.
var ErrOrder = errors.New("tally: the later table was full; count its records in order instead")

// Continue adds o's records to t as if they had been added to t, in
// order, after t's own: o holds the records that follow t's in a log
// (the next part of a file, counted in parallel). The result is exactly
// the table one Add per record would give, caps included: o's groups are
// taken in the order they were made, so that a group makes it into a full
// table when and only when its first record would have. When o's own cap
// was hit Continue changes nothing and returns [ErrOrder]. The tables must
// have the same keys. o's groups move into t: do not use o afterwards.
func (t *Table) Continue(o *Table) error {
	if !slices.Equal(t.keys, o.keys) {
		return fmt.Errorf("continue a table grouped by %s with one grouped by %s", JoinKeys(t.keys), JoinKeys(o.keys))
	}
	if o.full {
		return ErrOrder
	}
	for _, k := range o.order {
		g := o.groups[k]
		switch dst := t.groups[k]; {
		case dst != nil:
			dst.merge(g)
		case t.hasRoom(len(k)):
			t.put(k, g)
		default:
			t.overflowFull().merge(g)
		}
	}
	if o.truncated {
		t.truncated = true
	}
	t.Overflow.merge(&o.Overflow)
	t.Unparsed += o.Unparsed
	return nil
}

// MergeOverflow adds an overflow group (from the wire) to t's, marking t
// truncated when it counts anything.
func (t *Table) MergeOverflow(g *Group) {
	if g.Count > 0 || g.Durations != nil {
		t.truncated = true
	}
	t.Overflow.merge(g)
}

// SetTruncated marks t truncated (a table decoded from the wire that said
// so).
func (t *Table) SetTruncated() { t.truncated = true }

// Groups returns the groups, most records first, ties in order of their
// values. The groups belong to the table.
func (t *Table) Groups() []*Group {
	gs := make([]*Group, 0, len(t.groups))
	for _, g := range t.groups {
		gs = append(gs, g)
	}
	slices.SortFunc(gs, func(a, b *Group) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return slices.Compare(a.Values, b.Values)
	})
	return gs
}
