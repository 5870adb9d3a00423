"""tradebook: build and analyse Kazakhstan's trade and investment with a partner country."""
