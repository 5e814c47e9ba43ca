// Package cliargs is the command-line word handling that urfave/cli v2
// leaves to its programs: putting options before operands so they may go
// anywhere (Intersperse), keeping a completion request parseable
// (Prepare), and telling a command's operands from its options and their
// values (Operands, WantsValue) for shell completion (Complete).
package cliargs
