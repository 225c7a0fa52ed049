"""The CLI's subcommands; harness/cli.py parses the arguments and dispatches to them."""
