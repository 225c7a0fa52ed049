"""The `kind: reward_model` recipe kind: its schema and its run."""
