"""An offline world map (Natural Earth outlines) with clickable artefact markers.

Equirectangular projection: scene x = longitude, scene y = -latitude, so one scene unit
is one degree. Markers ignore the view's zoom so they stay the same size on screen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

from triage.ui.formatting import plain_tooltip
from triage.ui.resource_files import resource_path

MARKER_RADIUS = 6
GRID_STEP = 30
MAX_MARKERS = 20000
WORLD = QRectF(-180, -90, 360, 180)


@dataclass(frozen=True)
class MapPoint:
    """One artefact to place on the map."""

    artefact_id: int
    latitude: float
    longitude: float
    label: str = ""


def valid_coordinates(latitude: Any, longitude: Any) -> bool:
    """True when both values are finite numbers inside the WGS84 ranges."""
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return False
    return -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0


def project(latitude: float, longitude: float) -> QPointF:
    """Return the scene position of a coordinate."""
    return QPointF(longitude, -latitude)


def unwrap_ring(ring: list[float]) -> list[QPointF]:
    """Return a flat lon/lat ring as scene points, unwrapped across the antimeridian."""
    points: list[QPointF] = []
    shift = 0.0
    previous: float | None = None
    for index in range(0, len(ring) - 1, 2):
        lon, lat = float(ring[index]), float(ring[index + 1])
        if previous is not None and abs(lon - previous) > 180:
            shift += -360.0 if lon > previous else 360.0
        previous = lon
        points.append(QPointF(lon + shift, -lat))
    return points


def load_outlines(path: Any = None) -> QPainterPath:
    """Return every country ring of the shipped outline file as one painter path.

    Rings that cross the antimeridian are unwrapped, then folded back into the world
    rectangle so no polygon streaks across the map.
    """
    outline = QPainterPath()
    source = path or resource_path("map", "world-110m.json")
    try:
        document = json.loads(Path(source).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return outline
    world = QPainterPath()
    world.addRect(WORLD)
    for country in document.get("countries", []):
        for ring in country.get("rings", []):
            if len(ring) < 6:
                continue
            ring_path = QPainterPath()
            ring_path.addPolygon(QPolygonF(unwrap_ring(ring)))
            ring_path.closeSubpath()
            bounds = ring_path.boundingRect()
            if bounds.left() >= -180 and bounds.right() <= 180:
                outline.addPath(ring_path)
                continue
            for dx in (-360.0, 0.0, 360.0):
                outline.addPath(ring_path.translated(dx, 0).intersected(world))
    return outline


class MarkerItem(QGraphicsEllipseItem):
    """A clickable marker for one artefact."""

    def __init__(self, point: MapPoint) -> None:
        r = MARKER_RADIUS
        super().__init__(-r, -r, 2 * r, 2 * r)
        self.point = point
        self.setPos(project(point.latitude, point.longitude))
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setBrush(QBrush(QColor("#d32f2f")))
        self.setPen(QPen(QColor("white"), 1.5))
        self.setZValue(10)
        self.setToolTip(plain_tooltip(point.label or f"artefact {point.artefact_id}"))
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_selected_look(self, selected: bool) -> None:
        """Show the marker as the current artefact or not."""
        self.setBrush(QBrush(QColor("#1565c0" if selected else "#d32f2f")))
        self.setZValue(11 if selected else 10)


class MapView(QGraphicsView):
    """World map with markers; emits ``artefact_clicked(id)`` when a marker is clicked."""

    artefact_clicked = Signal(int)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(WORLD, self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setBackgroundBrush(QBrush(QColor("#dcecf7")))
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.markers: dict[int, MarkerItem] = {}
        self._zoomed = False
        self._draw_base_map()

    def _draw_base_map(self) -> None:
        scene = self.scene()
        land = scene.addPath(load_outlines(), QPen(QColor("#7a8f7a"), 0), QBrush(QColor("#f3f0e4")))
        land.setZValue(1)
        grid_pen = QPen(QColor("#9db7cc"), 0, Qt.PenStyle.DashLine)
        for lon in range(-180, 181, GRID_STEP):
            scene.addLine(lon, -90, lon, 90, grid_pen).setZValue(2)
            if lon < 180:
                self._label(f"{abs(lon)}°{'E' if lon > 0 else 'W' if lon < 0 else ''}", lon + 1, 82)
        for lat in range(-90, 91, GRID_STEP):
            scene.addLine(-180, -lat, 180, -lat, grid_pen).setZValue(2)
            if abs(lat) < 90:
                self._label(f"{abs(lat)}°{'N' if lat > 0 else 'S' if lat < 0 else ''}", -179, -lat)

    def _label(self, text: str, x: float, y: float) -> None:
        item = QGraphicsSimpleTextItem(text)
        item.setBrush(QBrush(QColor("#52708a")))
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        item.setPos(x, y)
        item.setZValue(3)
        self.scene().addItem(item)

    def set_points(self, points: list[MapPoint]) -> int:
        """Replace the markers; return how many were placed (invalid ones are skipped)."""
        for marker in self.markers.values():
            self.scene().removeItem(marker)
        self.markers = {}
        for point in points[:MAX_MARKERS]:
            if valid_coordinates(point.latitude, point.longitude):
                marker = MarkerItem(point)
                self.scene().addItem(marker)
                self.markers[point.artefact_id] = marker
        return len(self.markers)

    def highlight(self, artefact_id: int | None) -> None:
        """Mark one artefact's marker as current."""
        for marker_id, marker in self.markers.items():
            marker.set_selected_look(marker_id == artefact_id)

    def marker_view_position(self, artefact_id: int) -> Any:
        """Return the viewport position of a marker (for tests and tooltips)."""
        return self.mapFromScene(self.markers[artefact_id].scenePos())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        click = event.position().toPoint()
        hits = [item for item in self.items(click) if isinstance(item, MarkerItem)]
        if hits:
            # Markers of nearby photos overlap: the one centred nearest the click wins.
            def distance(item: MarkerItem) -> tuple[int, int]:
                centre = self.mapFromScene(item.scenePos())
                return ((centre - click).manhattanLength(), item.point.artefact_id)

            item = min(hits, key=distance)
            self.highlight(item.point.artefact_id)
            self.artefact_clicked.emit(item.point.artefact_id)
            event.accept()
            return
        super().mousePressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        factor = 1.25 if event.angleDelta().y() > 0 else 0.8
        current = self.transform().m11()
        if (factor > 1 and current < 400) or (factor < 1 and current > 0.5):
            self._zoomed = True
            self.scale(factor, factor)
        event.accept()

    def reset_zoom(self) -> None:
        """Fit the whole world in the view."""
        self._zoomed = False
        self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self._zoomed:
            self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
