"""The default provider: the embedded gazetteer, no network."""

from __future__ import annotations

from kdirectory.geocoding.types import Geocode, GeocodeQuery
from kdirectory.record.gazetteer import city_info, zip_info


class OfflineGeocoder:
    """Answers from ZIP centroids (precision ``postal_code``) or city centres (``city``).

    Never street-level: a clinic placed this way gets no JSON-LD ``geo`` and no map pin,
    only the town it is in, which is what city pages and distances need.
    """

    name = "offline"
    needs_network = False

    def geocode(self, query: GeocodeQuery) -> Geocode | None:
        """The ZIP's centroid when the ZIP is known, else the city's centre, else ``None``."""
        if query.country.upper() not in {"US", "USA"}:
            return None
        if query.postal_code:
            info = zip_info(query.postal_code)
            if info is not None and (not query.region or info.state == query.region.upper()):
                return Geocode(
                    info.lat,
                    info.lon,
                    "postal_code",
                    self.name,
                    f"ZIP {info.zip5}, {info.city}, {info.state}",
                )
        if query.city and query.region:
            city = city_info(query.city, query.region)
            if city is not None:
                return Geocode(city.lat, city.lon, "city", self.name, f"{city.name}, {city.state}")
        return None
