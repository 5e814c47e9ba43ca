// Package docscmd is the hidden `docs` command both binaries carry: it
// writes the man page or the fish completion script generated from the
// binary's own urfave/cli definitions, so no flag list is ever copied by
// hand. The packaging generator (packaging/gen) runs it at build time.
package docscmd

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

// Command returns the hidden `docs man|markdown|fish` command; the man
// page goes in manual section.
func Command(section int) *cli.Command {
	return &cli.Command{
		Name:      "docs",
		Usage:     "write the man page (man, markdown) or the fish completion script (fish)",
		ArgsUsage: "man|markdown|fish",
		Hidden:    true,
		Action: func(c *cli.Context) error {
			var out string
			var err error
			switch c.Args().First() {
			case "man":
				out, err = c.App.ToManWithSection(section)
			case "markdown":
				out, err = c.App.ToMarkdown()
			case "fish":
				out, err = c.App.ToFishCompletion()
			default:
				return fmt.Errorf("docs: want man, markdown or fish, not %q", c.Args().First())
			}
			if err != nil {
				return fmt.Errorf("docs: %w", err)
			}
			_, err = fmt.Fprint(c.App.Writer, out)
			return err
		},
	}
}
