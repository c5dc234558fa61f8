"""The `zs` command: thin click commands that parse, call the application or a view, and render."""
