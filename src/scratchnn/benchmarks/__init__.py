"""Side-by-side training benchmark: scratchnn's fused path against the plain NumPy reference,
PyTorch and scikit-learn, with the machine's SGEMM ceiling measured in the same run."""
