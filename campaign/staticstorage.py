"""Static files in production: whitenoise's compressed manifest storage, each address worked out once (issue 7).

Every page names half a dozen static files, and the manifest storage works out each address anew (the
hashed name from the manifest, then joining and quoting it): about 5 % of a cached page. The manifest is
read once when the process starts and never changes while it runs, so neither do the addresses.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        try:
            return self._urls[name]
        except KeyError:
            address = self._urls[name] = super().url(name)
            return address
