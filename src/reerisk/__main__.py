from reerisk.cli import main

main()
