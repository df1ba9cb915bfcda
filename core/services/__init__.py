"""Domain logic. Controllers stay thin and call these; so do the API and the CLI."""
