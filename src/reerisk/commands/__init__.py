"""The commands, grouped by what they do; each module registers its own on `reerisk.cli.app`."""
