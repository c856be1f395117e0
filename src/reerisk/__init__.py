"""reerisk: days to stockout for plants that depend on export-licensed rare earths."""

__version__ = "0.1.0"
