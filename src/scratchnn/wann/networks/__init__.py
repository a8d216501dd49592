"""WANN networks: what a genome is, how it computes, and how it is stored.

- :mod:`~scratchnn.wann.networks.genome`: nodes and connection genes (no weights), expression to
  a matrix, a plain reference forward pass;
- :mod:`~scratchnn.wann.networks.activations`: the activation table (formulas,
  derivatives, symmetries) and the compiled dispatch generated from it;
  :mod:`~scratchnn.wann.networks.elementary`: the compiled ``sin(pi x)``, ``cos(pi x)``,
  ``exp`` and ``tanh`` they use;
- :mod:`~scratchnn.wann.networks.packed`: a whole population packed into flat arrays and
  evaluated by compiled kernels (the batched forward passes, the MNIST cross-entropy kernel);
- :mod:`~scratchnn.wann.networks.backprop`: a genome with one weight per connection as a
  differentiable model (gradient training of its weights);
- :mod:`~scratchnn.wann.networks.formats`: champion files (our JSON, the reference's CSV
  matrix, a drawn DOT graph).

These modules import nothing from the search or the tasks, which build on them.
"""
