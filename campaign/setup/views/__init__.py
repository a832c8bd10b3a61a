"""The admin's set-up pages, by section: ``people`` (units and people), ``framework`` (the campaign and its
evaluation framework) and ``places`` (point types, sites, event categories); ``shared`` holds the index and
what every page does."""
