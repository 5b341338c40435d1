"""A synthetic county for benchmarks and demos (`yidi seed --synthetic`)."""
