package doctor

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/weblogctl/weblogctl/fleet"
	"github.com/weblogctl/weblogctl/wire"
)

// Write renders one host's report, one line per check:
//
//	VERDICT  CHECK  DETAIL — fix: HINT
//
// Text that came from the remote side has its control characters
// replaced.
func Write(w io.Writer, r Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, res := range r.Results {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", res.Verdict, wire.Sanitize(res.Check), line(res))
	}
	return tw.Flush()
}

// line is a result's detail and hint on one line.
func line(res Result) string {
	s := wire.Sanitize(res.Detail)
	if res.Hint != "" {
		s += " — fix: " + wire.Sanitize(res.Hint)
	}
	return s
}

// tableColumns are the columns of WriteTable after HOST; the per-log
// checks fold into one column each, holding the worst of that host's logs.
var tableColumns = [...]string{CheckReach, CheckHostKey, CheckAuth, CheckServer, CheckVersion, CheckLogs, CheckLog, CheckFormat, CheckRotation, CheckClock, CheckShell}

// WriteTable renders many hosts' reports: a row per host, in the order
// given, a column per check holding its verdict (per-log checks: the worst
// over the host's logs; "-" for none), then one line per warning or
// failure, as "HOST CHECK: VERDICT DETAIL — fix: HINT".
func WriteTable(w io.Writer, reports []Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "HOST\t%s\n", strings.Join(upper(tableColumns[:]), "\t"))
	for _, r := range reports {
		cells := make([]string, len(tableColumns))
		for i, col := range tableColumns {
			cells[i] = "-"
			seen := false
			var worst Verdict
			for _, res := range r.Results {
				if column(res.Check) == col {
					if !seen || res.Verdict > worst {
						worst = res.Verdict
					}
					seen = true
				}
			}
			if seen {
				cells[i] = worst.String()
			}
		}
		fmt.Fprintf(tw, "%s\t%s\n", wire.Sanitize(r.Host), strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range reports {
		for _, res := range r.Results {
			if res.Verdict == Warn || res.Verdict == Fail {
				if _, err := fmt.Fprintf(w, "%s %s: %s %s\n", wire.Sanitize(r.Host), wire.Sanitize(res.Check), res.Verdict, line(res)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// column is the table column of a check: "format access" is in format.
func column(check string) string {
	c, _, _ := strings.Cut(check, " ")
	return c
}

func upper(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strings.ToUpper(v)
	}
	return out
}

// RunAll diagnoses hosts, at most jobs at once (fleet.Run), and returns
// their reports in the order of hosts.
func RunAll(ctx context.Context, hosts []string, jobs int, cfg Config) []Report {
	reports := make([]Report, len(hosts))
	errs := fleet.Run(ctx, len(hosts), jobs, func(ctx context.Context, i int) error {
		reports[i] = Run(ctx, hosts[i], cfg)
		return nil
	})
	for i, err := range errs {
		if err != nil && reports[i].Host == "" {
			reports[i] = Report{Host: hosts[i]}
			reports[i].add(CheckReach, Fail, err.Error(), "")
		}
	}
	return reports
}
