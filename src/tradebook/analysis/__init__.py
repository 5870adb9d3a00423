"""The analysis layer: pure functions over validated frames (indicators, timeseries, composition, mirror,
investment, claims). No glue, no display, no knowledge of notebooks or the build."""
