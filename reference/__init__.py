"""The PyTorch side of handmlp: torch twins, autograd oracles and bounded comparisons."""
