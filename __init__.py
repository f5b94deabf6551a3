"""newsx: bilingual (Chinese/English) news extraction pipeline."""

__version__ = "0.1.0"
