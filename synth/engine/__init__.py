"""The execution engine: a pool of warm worker processes, each in its own sandbox, that build
samples and render code, and the framed protocol they speak. Imports no domain and no
back-end by name: it reads the registered declarations."""
