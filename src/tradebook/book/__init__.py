"""The book layer: what turns analysis into pages (glue, tables, downloads, charts, the claims view,
the methods page) and the build that runs the notebooks and publishes the HTML, with its command line."""
