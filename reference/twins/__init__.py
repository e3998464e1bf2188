"""The torch twins: each handmlp module written again with torch, for the oracle to run."""
