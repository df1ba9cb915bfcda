"""The core's own defaults, written as plugins registered last so any plugin can come first."""
