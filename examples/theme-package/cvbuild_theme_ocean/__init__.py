"""The ocean cvbuild theme. cvbuild reads the `ocean/` folder beside this file; it never imports it."""
