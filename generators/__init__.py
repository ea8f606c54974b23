"""Generators: one subpackage per domain, each declaring a domain pack (a subclass of
:class:`synth.pack.DomainPack`) that draws specs and emits the code that renders them."""
