"""`newsx eval`: score pipeline output against hand-made gold, as ../shared/GOLD_FORMAT.md defines it."""
