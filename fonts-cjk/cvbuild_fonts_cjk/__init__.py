"""Noto Sans CJK SC, Regular and Bold, extracted from the upstream collection; cvbuild finds them here."""

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent
