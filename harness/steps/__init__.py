"""Steps of the feedback loop that take a RunContext, so the pipeline stays a wiring of steps."""
