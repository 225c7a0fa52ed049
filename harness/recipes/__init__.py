"""Recipe files: read, extended, overridden, validated into a schema and checked before any compute."""
