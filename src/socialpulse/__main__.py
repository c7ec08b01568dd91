from socialpulse.cli.main import main

main()
