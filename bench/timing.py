"""A ``Server-Timing: app;dur=<ms>`` header on every response (bench/settings.py only).

The client reads the server's own time for the request, so loopback and the client's
scheduling on a busy 2-core host do not enter the figure.
"""

import time


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
        return response
