"""The data layer: the contract, validation, provenance and the importers, and the one door to data/.

Nothing here knows about analysis, notebooks or the build.
"""
