from cvbuild.cli.app import main

main()
