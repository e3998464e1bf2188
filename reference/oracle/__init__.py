"""Rounding bounds and bounded comparisons: how far apart two correct implementations may be."""
