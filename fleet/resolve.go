package fleet

import (
	"fmt"
	"strings"
)

// MaxHosts is the default bound on the hosts one command addresses.
const MaxHosts = 10000

// maxGroupDepth bounds how deeply groups may name groups.
const maxGroupDepth = 16

// workFactor bounds the expansions Resolve does, duplicates included, to
// this many times its host bound.
const workFactor = 8

// ResolveOptions say how Resolve finds groups and how many hosts it
// accepts.
type ResolveOptions struct {
	// Groups are the groups @NAME may name; nil means none.
	Groups Groups
	// GroupsFile names where Groups came from, for error messages.
	GroupsFile string
	// Max bounds the hosts, after duplicates are removed; 0 means
	// MaxHosts.
	Max int
}

// Resolve expands host specs (hosts, patterns as in Expand, and @NAME for
// a group) into a list of hosts, in the order given, each host once (its
// first place counts). It refuses unknown groups, groups that name
// themselves, groups nested more than 16 deep, a host name starting with
// "-", more than opt.Max hosts and more than 8×opt.Max expansions
// (duplicates included).
func Resolve(specs []string, opt ResolveOptions) ([]string, error) {
	if opt.Max <= 0 {
		opt.Max = MaxHosts
	}
	r := &resolver{opt: opt, seen: make(map[string]bool)}
	for _, s := range specs {
		if err := r.spec(s, nil); err != nil {
			return nil, err
		}
	}
	return r.out, nil
}

// resolver is the state of one Resolve.
type resolver struct {
	opt  ResolveOptions
	seen map[string]bool
	out  []string
	work int
}

// spec adds the hosts of s; stack holds the groups being expanded.
func (r *resolver) spec(s string, stack []string) error {
	name, isGroup := strings.CutPrefix(s, "@")
	if !isGroup {
		hosts, err := Expand(s, r.opt.Max)
		if err != nil {
			return err
		}
		for _, h := range hosts {
			if err := r.add(h); err != nil {
				return err
			}
		}
		return nil
	}
	if err := CheckGroupName(name); err != nil {
		return err
	}
	for i, g := range stack {
		if g == name {
			return fmt.Errorf("group @%s names itself: @%s", name, strings.Join(append(stack[i:], name), " -> @"))
		}
	}
	if len(stack) >= maxGroupDepth {
		return fmt.Errorf("group @%s: groups nested more than %d deep", name, maxGroupDepth)
	}
	members, ok := r.opt.Groups[name]
	if !ok {
		where := ""
		if r.opt.GroupsFile != "" {
			where = " in " + r.opt.GroupsFile
		}
		return fmt.Errorf("no group @%s%s", name, where)
	}
	for _, m := range members {
		if err := r.spec(m, append(stack, name)); err != nil {
			if len(stack) == 0 {
				return fmt.Errorf("group @%s: %w", name, err)
			}
			return err
		}
	}
	return nil
}

// add appends host h unless it is there already.
func (r *resolver) add(h string) error {
	if r.work++; r.work > workFactor*r.opt.Max {
		return fmt.Errorf("more than %d host names to expand", workFactor*r.opt.Max)
	}
	if strings.HasPrefix(h, "-") {
		return fmt.Errorf("host %q: a host name cannot start with \"-\" (options go before the hosts)", h)
	}
	if r.seen[h] {
		return nil
	}
	if len(r.out) >= r.opt.Max {
		return fmt.Errorf("more than %d hosts", r.opt.Max)
	}
	r.seen[h] = true
	r.out = append(r.out, h)
	return nil
}
