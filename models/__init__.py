"""NLP model backends, their registry, and shipped model data."""
