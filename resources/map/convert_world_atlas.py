"""Convert world-atlas's countries-110m.json (Natural Earth, TopoJSON) into world-110m.json.

The output is plain JSON the map view reads without a TopoJSON decoder:
``{"source": ..., "countries": [{"name": str, "rings": [[lon, lat, lon, lat, ...], ...]}]}``
with coordinates in decimal degrees rounded to 0.01.

Usage (the npm tarball is fetched once by a developer, never at run time)::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python resources/map/convert_world_atlas.py package/countries-110m.json resources/map/world-110m.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Return every arc as absolute (lon, lat) points (TopoJSON quantised delta encoding)."""
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def ring_points(ring: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Join the arcs of one ring; a negative index ~i means arc i reversed."""
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def convert(topology: dict[str, Any]) -> dict[str, Any]:
    """Return the simplified countries document."""
    arcs = decode_arcs(topology)
    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = geometry.get("arcs") or []
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        rings = []
        for polygon in polygons:
            for ring in polygon:
                flat = []
                for lon, lat in ring_points(ring, arcs):
                    flat.extend((round(lon, 2), round(lat, 2)))
                rings.append(flat)
        countries.append({"name": geometry.get("properties", {}).get("name", ""), "rings": rings})
    return {
        "source": "Natural Earth 1:110m Admin 0 countries v4.1.0 via npm world-atlas 2.0.2",
        "licence": "Natural Earth: public domain; world-atlas packaging: ISC",
        "countries": countries,
    }


def main(argv: list[str]) -> int:
    """Convert ``argv[0]`` (TopoJSON) into ``argv[1]`` (plain JSON)."""
    source, target = Path(argv[0]), Path(argv[1])
    document = convert(json.loads(source.read_text(encoding="utf-8")))
    target.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
