"""Renderers: results in, text out. Rich is imported only by `table`."""
