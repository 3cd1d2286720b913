"""The Helsinki demo's raw material, read from the OpenStreetMap extract with osmium (the
`roads` extra): the shops and food-and-drink places that become stores, and the named streets
(rep homes stand on residential ones; the nearest street names a place that has no address).

No Flask, no database: a list of places and streets, the same for the same file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# (key, value) of an OSM tag -> the kind of place it is.
KINDS = {
    ("shop", "supermarket"): "supermarket",
    ("shop", "convenience"): "convenience",
    ("shop", "kiosk"): "kiosk",
    ("amenity", "cafe"): "cafe",
    ("amenity", "restaurant"): "restaurant",
    ("amenity", "bar"): "bar",
    ("amenity", "pub"): "pub",
    ("tourism", "hotel"): "hotel",
}
RESIDENTIAL = frozenset({"residential", "living_street"})
# Streets whose name may stand in for a missing address (not footpaths or service roads).
NAMED_STREETS = RESIDENTIAL | {
    "primary", "secondary", "tertiary", "unclassified", "pedestrian",
}  # fmt: skip
# The tags a store is made from; the rest of an element's tags are not kept.
KEPT_TAGS = ("name", "brand", "opening_hours", "phone", "contact:phone", "addr:street",
             "addr:housenumber", "addr:postcode")  # fmt: skip


@dataclass(frozen=True)
class Place:
    osm_id: str  # "n<id>" for a node, "w<id>" for a way (a building outline)
    kind: str
    lat: float
    lng: float
    tags: dict[str, str]

    @property
    def sort_key(self) -> tuple[str, int]:
        return self.osm_id[0], int(self.osm_id[1:])


@dataclass(frozen=True)
class Street:
    name: str
    residential: bool
    points: tuple[tuple[float, float], ...]  # (lat, lng) of its nodes, in order


@dataclass(frozen=True)
class Extract:
    places: list[Place]  # sorted by OSM id: nodes, then ways
    streets: list[Street]  # sorted by name, then first point


def read_extract(pbf: Path) -> Extract:
    """The places and named streets of `pbf` (raises ImportError without osmium)."""
    import osmium  # the roads extra: imported here so the app runs without it

    places: list[Place] = []
    streets: list[Street] = []

    class Reader(osmium.SimpleHandler):
        def node(self, node):
            kind = _kind(node.tags)
            if kind is not None and node.location.valid():
                places.append(_place(f"n{node.id}", kind, [node.location], node.tags))

        def way(self, way):
            locations = [n.location for n in way.nodes if n.location.valid()]
            if not locations:
                return
            kind = _kind(way.tags)
            if kind is not None:
                ring = locations[:-1] if way.is_closed() and len(locations) > 1 else locations
                places.append(_place(f"w{way.id}", kind, ring, way.tags))
            highway, name = way.tags.get("highway"), way.tags.get("name")
            if highway in NAMED_STREETS and name:
                points = tuple((loc.lat, loc.lon) for loc in locations)
                streets.append(Street(name, highway in RESIDENTIAL, points))

    Reader().apply_file(str(pbf), locations=True)
    places.sort(key=lambda p: p.sort_key)
    streets.sort(key=lambda s: (s.name, s.points[0]))
    return Extract(places, streets)


def _kind(tags) -> str | None:
    for key in ("shop", "amenity", "tourism"):
        kind = KINDS.get((key, tags.get(key)))
        if kind is not None:
            return kind
    return None


def _place(osm_id: str, kind: str, locations, tags) -> Place:
    """A place at its node, or at the mean of its outline's corners."""
    lat = sum(loc.lat for loc in locations) / len(locations)
    lng = sum(loc.lon for loc in locations) / len(locations)
    kept = {key: tags.get(key) for key in KEPT_TAGS if tags.get(key)}
    return Place(osm_id, kind, round(lat, 7), round(lng, 7), kept)
