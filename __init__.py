"""plankg: a knowledge graph of Chinese local-government action plans."""

__version__ = "0.1.0"
