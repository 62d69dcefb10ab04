"""The demo data set of ``make run`` (``python manage.py seed_demo``), built by the test factories."""
