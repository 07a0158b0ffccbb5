from gentle.cli import main

main()
