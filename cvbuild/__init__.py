"""cvbuild: one validated profile, every CV document you need."""

__version__ = "0.1.0"
