"""Generators: one subpackage per domain, each a domain pack (see :mod:`synth.generators.base`)."""

from synth.generators.base import Code, DomainPack, Rendered, Sample

__all__ = ["Code", "DomainPack", "Rendered", "Sample"]
