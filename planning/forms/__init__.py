"""Forms of the plan's editing pages (one module per family; import from the modules)."""
