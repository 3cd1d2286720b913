"""Use cases: the domain work behind every route, job and command; they flush, never commit."""
