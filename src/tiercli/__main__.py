from tiercli.cli.app import main

main()
