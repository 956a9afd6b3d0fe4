"""Buy-till-you-die customer-lifetime-value models (BG/NBD, Pareto/NBD, Gamma-Gamma), fitted by maximum likelihood."""
