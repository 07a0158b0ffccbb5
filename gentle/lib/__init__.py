"""Framework-light helpers: nothing here imports a Gentle app (see ARCHITECTURE.md)."""
