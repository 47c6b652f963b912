from annexkit.cli import main

main()
