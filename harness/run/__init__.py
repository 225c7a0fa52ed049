"""The feedback loop, the content-addressed stage store it runs in, and the record a run leaves."""
