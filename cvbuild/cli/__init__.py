"""Stage 6: the command line. Heavy modules are imported inside commands, never at start-up."""
