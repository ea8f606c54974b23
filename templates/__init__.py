"""Data files: question phrasings (and, later, HTML/CSS and LaTeX templates)."""

__all__: list[str] = []
