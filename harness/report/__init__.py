"""From a run's numbers to what people and other tools read: metrics rows, leaderboards, plots, exports."""
