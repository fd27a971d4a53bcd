"""`python -m cellc_kernel -f CONNECTION_FILE` starts the kernel."""

from .kernel import main

if __name__ == "__main__":
    main()
