#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trainingops.settings")
    from django.core.management import execute_from_command_line

    from trainingops.actors import acting

    # Changes a command makes on its own are recorded as made by that command (see trainingops.actors).
    with acting(name=f"command {sys.argv[1]}" if len(sys.argv) > 1 else ""):
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
