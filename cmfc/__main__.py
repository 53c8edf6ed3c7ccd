from cmfc.cli import main
main()
