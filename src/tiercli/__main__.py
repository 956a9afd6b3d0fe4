from tiercli.cli.entry import main

main()
