"""Plain geometry on WGS-84 coordinates, enough for jurisdictions and rebound radii.

A district is a few kilometres across, so a flat point-in-polygon test on
(latitude, longitude) is exact enough for deciding which squad's jurisdiction a
point lies in, and the haversine formula gives distances to well under a metre.
No GIS extension is needed, which keeps SQLite and PostgreSQL on one code path.
"""

import math

from django.utils.translation import gettext as _

EARTH_RADIUS_M = 6_371_008.8


def validate_polygon(points) -> None:
    """Raise ValueError unless ``points`` is a list of at least three [lat, lon] pairs in range."""
    if not isinstance(points, list) or len(points) < 3:
        raise ValueError(_("A boundary needs at least three [latitude, longitude] points."))
    for index, point in enumerate(points, start=1):
        if not (isinstance(point, (list, tuple)) and len(point) == 2):
            raise ValueError(_("Point %(n)s is not a [latitude, longitude] pair.") % {"n": index})
        lat, lon = point
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon)):
            raise ValueError(_("Point %(n)s has a coordinate that is not a number.") % {"n": index})
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(_("Point %(n)s is outside the range of latitude and longitude.") % {"n": index})


def point_in_polygon(lat: float, lon: float, polygon) -> bool:
    """Ray casting; points on an edge count as inside so shared borders are never a gap."""
    inside = False
    n = len(polygon)
    for i in range(n):
        lat1, lon1 = polygon[i]
        lat2, lon2 = polygon[(i + 1) % n]
        if _on_segment(lat, lon, lat1, lon1, lat2, lon2):
            return True
        if (lon1 > lon) != (lon2 > lon):
            crossing = lat1 + (lon - lon1) * (lat2 - lat1) / (lon2 - lon1)
            if lat < crossing:
                inside = not inside
    return inside


def _on_segment(lat, lon, lat1, lon1, lat2, lon2, eps=1e-12) -> bool:
    cross = (lat - lat1) * (lon2 - lon1) - (lon - lon1) * (lat2 - lat1)
    if abs(cross) > eps:
        return False
    return min(lat1, lat2) - eps <= lat <= max(lat1, lat2) + eps and min(lon1, lon2) - eps <= lon <= max(
        lon1, lon2
    ) + eps


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bounding_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) around a point: a cheap SQL pre-filter before distance_m."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = math.degrees(radius_m / (EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 1e-6)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
