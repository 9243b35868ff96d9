"""One module per `ops` command: its options, its work, its Outcome (see `ops.cli.run_command`)."""
