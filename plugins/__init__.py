"""The program plugins that ship with Lavterskel. Each is loaded by entry point, like any other."""
