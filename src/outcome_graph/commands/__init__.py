"""One module per `outcome-graph` subcommand (see cli.py)."""
