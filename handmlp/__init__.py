"""handmlp: the course equations for perceptrons and MLPs, written by hand in NumPy."""
