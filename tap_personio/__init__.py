"""tap-personio: a Singer tap for Personio."""
