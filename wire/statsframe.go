package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/weblogctl/weblogctl/tally"
)

// FrameAggregate is the frame type of stats answers (PROTOCOL.md §3.4).
const FrameAggregate byte = 'A'

// AggregateVersion is the version of the A frame encoding.
const AggregateVersion = 1

// Parts of an aggregate, the second byte of an A frame.
const (
	partHead   byte = 'H'
	partGroups byte = 'G'
)

// MaxTableBins bounds the sketch bins of one decoded table, so that a
// hostile server cannot make a client hold more than about 100 MiB of
// sketches (key values are bounded by tally.MaxKeyBytes).
const MaxTableBins = 4 << 20

// maxPart is the size at which Encode starts a new groups frame; one group
// is at most MaxKeys·MaxValue bytes of values plus its sketch, well under
// MaxFrame, so a frame never exceeds MaxFrame.
const maxPart = 256 << 10

// Window is the span of time an aggregate of `stats --every` covers, by
// the server's clock; the zero Window (a one-shot stats) covers the log.
type Window struct {
	Start, End time.Time
}

// EncodeTable returns the payloads of the A frames that carry t: a head,
// then as many groups frames as needed (PROTOCOL.md §3.4). Groups come in
// the order of t.Groups, so the encoding of a table is deterministic.
func EncodeTable(t *tally.Table, w Window) [][]byte {
	groups := t.Groups()
	head := []byte{AggregateVersion, partHead}
	keys := t.Keys()
	head = binary.AppendUvarint(head, uint64(len(keys)))
	for _, k := range keys {
		head = appendString(head, string(k))
	}
	head = binary.AppendUvarint(head, uint64(t.MaxGroups()))
	var flags uint64
	if t.Truncated() {
		flags |= 1
	}
	head = binary.AppendUvarint(head, flags)
	head = binary.AppendUvarint(head, uint64(t.Unparsed))
	head = appendTime(head, w.Start)
	head = appendTime(head, w.End)
	head = appendGroupBody(head, &t.Overflow)
	head = binary.AppendUvarint(head, uint64(len(groups)))
	out := [][]byte{head}

	var part []byte
	n := 0
	flush := func() {
		if n == 0 {
			return
		}
		p := binary.AppendUvarint([]byte{AggregateVersion, partGroups}, uint64(n))
		out = append(out, append(p, part...))
		part, n = part[:0:0], 0
	}
	for _, g := range groups {
		for _, v := range g.Values {
			part = appendString(part, v)
		}
		part = appendGroupBody(part, g)
		n++
		if len(part) >= maxPart {
			flush()
		}
	}
	flush()
	return out
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return binary.AppendVarint(b, 0)
	}
	return binary.AppendVarint(b, t.UnixMilli())
}

// appendGroupBody appends a group's count, bytes and sketch: a 0 byte when
// it has none, else 1, the zero count, the number of bins, and the bins
// by increasing index (the first index zigzag, then increments), each
// with its count.
func appendGroupBody(b []byte, g *tally.Group) []byte {
	b = binary.AppendUvarint(b, uint64(g.Count))
	b = binary.AppendUvarint(b, uint64(g.Bytes))
	if g.Durations == nil {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.AppendUvarint(b, g.Durations.Zero())
	var idx []int
	var cnt []uint64
	g.Durations.Bins(func(i int, c uint64) { idx, cnt = append(idx, i), append(cnt, c) })
	b = binary.AppendUvarint(b, uint64(len(idx)))
	for k := range idx {
		if k == 0 {
			b = binary.AppendVarint(b, int64(idx[0]))
		} else {
			b = binary.AppendUvarint(b, uint64(idx[k]-idx[k-1]))
		}
		b = binary.AppendUvarint(b, cnt[k])
	}
	return b
}

// TableDecoder rebuilds tables from A frames. Feed it every A frame's
// payload with Add; it returns each table once its head and all its groups
// have arrived.
type TableDecoder struct {
	t      *tally.Table
	w      Window
	want   int // groups announced by the head
	keys   int
	bins   int  // sketch bins so far, against MaxTableBins
	inside bool // a head came, its groups are not all there
}

// errAggregate is the error of every malformed A frame.
var errAggregate = errors.New("malformed aggregate frame")

func aggErr(what string) error { return fmt.Errorf("%w: %s", errAggregate, what) }

// Add decodes one A frame payload. When it completes a table, Add returns
// it and its window; otherwise nil. A frame of another version is an
// error: the encoding is versioned separately from the frame type so that
// a future server can say so.
func (d *TableDecoder) Add(p []byte) (*tally.Table, Window, error) {
	if len(p) < 2 {
		return nil, Window{}, aggErr("too short")
	}
	if p[0] != AggregateVersion {
		return nil, Window{}, aggErr(fmt.Sprintf("version %d, want %d", p[0], AggregateVersion))
	}
	r := reader{b: p[2:]}
	switch p[1] {
	case partHead:
		if d.inside {
			return nil, Window{}, aggErr("head before the groups of the last one")
		}
		if err := d.head(&r); err != nil {
			return nil, Window{}, err
		}
	case partGroups:
		if !d.inside {
			return nil, Window{}, aggErr("groups without a head")
		}
		if err := d.groups(&r); err != nil {
			return nil, Window{}, err
		}
	default:
		return nil, Window{}, aggErr(fmt.Sprintf("unknown part %q", p[1]))
	}
	if len(r.b) != 0 {
		return nil, Window{}, aggErr("trailing bytes")
	}
	if d.t.Len() < d.want {
		return nil, Window{}, nil
	}
	t, w := d.t, d.w
	*d = TableDecoder{}
	return t, w, nil
}

// Pending reports whether a table has begun but is not complete.
func (d *TableDecoder) Pending() bool { return d.inside }

func (d *TableDecoder) head(r *reader) error {
	nkeys := r.uvarint()
	if nkeys > tally.MaxKeys {
		return aggErr("too many keys")
	}
	keys := make([]tally.Key, 0, nkeys)
	names := ""
	for range nkeys {
		s := r.str(64)
		if names != "" {
			names += ","
		}
		names += s
	}
	if r.err != nil {
		return r.err
	}
	if nkeys > 0 {
		var err error
		if keys, err = tally.ParseKeys(names); err != nil || uint64(len(keys)) != nkeys {
			return aggErr("bad keys")
		}
	}
	maxGroups := r.uvarint()
	flags := r.uvarint()
	unparsed := r.uvarint()
	start, end := r.time(), r.time()
	var overflow tally.Group
	bins := r.groupBody(&overflow)
	want := r.uvarint()
	if r.err != nil {
		return r.err
	}
	switch {
	case maxGroups < 1 || maxGroups > tally.MaxGroups:
		return aggErr("group cap out of range")
	case flags > 1:
		return aggErr("unknown flags")
	case unparsed > 1<<62:
		return aggErr("unparsed count out of range")
	case want > maxGroups:
		return aggErr("more groups than the cap")
	case flags&1 == 0 && (overflow.Count > 0 || overflow.Bytes > 0 || overflow.Durations != nil):
		return aggErr("overflow in a table not truncated")
	case start.After(end):
		return aggErr("window ends before it starts")
	}
	t := tally.New(keys, int(maxGroups))
	if flags&1 != 0 {
		t.SetTruncated()
	}
	t.MergeOverflow(&overflow)
	t.Unparsed = int64(unparsed)
	*d = TableDecoder{t: t, w: Window{Start: start, End: end}, want: int(want), keys: int(nkeys), bins: bins, inside: true}
	return nil
}

func (d *TableDecoder) groups(r *reader) error {
	n := r.uvarint()
	if r.err == nil && (n == 0 || n > uint64(d.want-d.t.Len())) {
		return aggErr("group count out of range")
	}
	for range n {
		g := tally.Group{Values: make([]string, d.keys)}
		for k := range g.Values {
			g.Values[k] = r.str(tally.MaxValue)
		}
		d.bins += r.groupBody(&g)
		if r.err != nil {
			return r.err
		}
		if d.bins > MaxTableBins {
			return aggErr("too many sketch bins")
		}
		before := d.t.Len()
		if err := d.t.AddGroup(&g); err != nil {
			return aggErr(err.Error())
		}
		if d.t.Len() != before+1 {
			return aggErr("a group repeated")
		}
	}
	return r.err
}

// reader reads the varints and strings of an A frame, remembering the
// first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = aggErr(what)
	}
	r.b = nil
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("bad number")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("bad number")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) str(max int) string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(max) || n > uint64(len(r.b)) {
		r.fail("string too long")
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// time reads Unix milliseconds, 0 standing for the zero time.
func (r *reader) time() time.Time {
	ms := r.varint()
	if ms == 0 {
		return time.Time{}
	}
	if ms < 0 || ms > 1<<50 {
		r.fail("time out of range")
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// groupBody reads a group body into g and returns its number of bins.
func (r *reader) groupBody(g *tally.Group) int {
	count, bytes := r.uvarint(), r.uvarint()
	if r.err != nil {
		return 0
	}
	if count > 1<<62 || bytes > 1<<62 {
		r.fail("count out of range")
		return 0
	}
	g.Count, g.Bytes = int64(count), int64(bytes)
	if len(r.b) == 0 {
		r.fail("truncated group")
		return 0
	}
	has := r.b[0]
	r.b = r.b[1:]
	switch has {
	case 0:
		return 0
	case 1:
	default:
		r.fail("bad sketch flag")
		return 0
	}
	s := tally.NewSketch()
	zero := r.uvarint()
	nbins := r.uvarint()
	if r.err != nil {
		return 0
	}
	total := zero
	if nbins > 2*tally.MaxBinIndex+1 || zero > count {
		r.fail("sketch out of range")
		return 0
	}
	if zero > 0 {
		_ = s.AddZero(zero) // zero <= count <= 2^62
	}
	idx := int64(0)
	for k := range nbins {
		if k == 0 {
			idx = r.varint()
		} else {
			step := r.uvarint()
			if step == 0 || step > 2*tally.MaxBinIndex {
				r.fail("sketch bins out of order")
				return 0
			}
			idx += int64(step)
		}
		c := r.uvarint()
		if r.err != nil {
			return 0
		}
		if idx < -tally.MaxBinIndex || idx > tally.MaxBinIndex || c == 0 || c > count-total {
			r.fail("sketch bin out of range")
			return 0
		}
		total += c
		if err := s.AddBin(int(idx), c); err != nil {
			r.fail(err.Error())
			return 0
		}
	}
	if total == 0 {
		r.fail("empty sketch")
		return 0
	}
	g.Durations = s
	return int(nbins)
}
