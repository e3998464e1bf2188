"""The catalog's cases, grouped by the part of the course they cover."""
