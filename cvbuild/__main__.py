"""`python -m cvbuild`: the same front door as the console script, so `render` skips typer here too."""

from cvbuild.cli.script import main

main()
