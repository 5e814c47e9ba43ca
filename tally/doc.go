// Package tally aggregates access-log records into groups: counts, sums of
// response bytes and, when the log carries a request duration, latency
// percentiles.
//
// A [Table] groups records by zero or more [Key]s (status, path, ip/24,
// hour …; see [ParseKeys]). Every group holds an exact count, an exact sum
// of response bytes (a size logged as "-" adds 0) and, for the records that
// logged a duration, a [Sketch] of those durations. Tables of the same keys
// merge: counts and sums exactly; sketches too, bin by bin, so a merged
// sketch is the one the concatenated records would have given.
//
// # Percentiles
//
// A Sketch is a DDSketch (github.com/DataDog/sketches-go) with a
// logarithmic index mapping of relative accuracy [RelativeAccuracy] (1%):
// the value it returns for a quantile q is within 1% of the value of rank
// ⌊q·(n−1)⌋ among the n durations added, for durations from 1 µs to
// 10⁶ s. Merging does not add error.
//
// # Keys
//
// Values are the fields as logged, escapes not decoded (as the filter
// options match them); a field the format does not log, or logged as "-",
// gives "-". Time keys (minute, hour, day) use the record's time in UTC,
// so that buckets from hosts in different zones line up when merged:
// "2026-12-03T14:05Z", "2026-12-03T14:00Z", "2026-12-03".
//
// # Bounds
//
// A table holds at most its group cap of groups and [MaxKeyBytes] bytes of
// key values; a record whose group does not fit, or one of whose values is
// longer than [MaxValue] bytes, is counted in the table's Overflow group
// and the table reports [Table.Truncated]: nothing is left out silently.
// Lines that do not parse are counted by [Table.AddUnparsed].
package tally
