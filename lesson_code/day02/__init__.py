"""Day 2: convolution as weight sharing across space, pooling, and residual networks against plain ones."""
