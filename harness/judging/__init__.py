"""The core's side of judges: their contract, the one builder, adapters, pair verdicts, prompt folders."""
