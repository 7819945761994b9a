#!/usr/bin/python3
"""Checks gazmap's layers in QGIS's temporal controller, headless (PyQGIS, QT_QPA_PLATFORM=offscreen).

Runs `gazmap export EVENTS.csv --format geojson,gpkg` by event and by date, opens every written
layer in QGIS (each GeoJSON file, and each table of layers.gpkg as QGIS desktop opens it, with its
stored default style), and filters it by time the way QGIS's temporal controller does
(QgsVectorLayerTemporalProperties.createFilterString, the filter the layer renderer applies):

- July 2021 as one range (2021-07-01 to 2021-07-31, both days included);
- each day of July as an animation frame (QgsTemporalNavigationObject, 1-day frames);
- a real map render with the July range (QgsMapRendererSequentialJob), the features drawn.

Each must give exactly the events whose date overlaps the range, computed here from EVENTS.csv
independently of gazmap (day, month `2021-07` and year `2021` dates; undated rows excluded). GeoJSON
layers get the temporal setting the README tells users to make; the GeoPackage's stored style must
hold that same setting. `date_start`/`date_end` must be read as Date in every layer with a dated
row. Every July row of EVENTS.csv must be shown in some layer or listed in unresolved.csv.

QGIS's "full range" for the layers (the controller's button) must be the rows' first to last day.
With --fields, every layer instead gets QGIS's plain "Separate Fields for Start and End Date/Time"
(date_start, date_end, both ends included), to show what that setting gets wrong.

Needs python3-qgis and qgis-providers (Debian). Exit status 1 on any mismatch.
Usage: .ci/check-qgis-temporal.py [--fields] GAZMAP EVENTS.csv [gazmap global options...]
"""

import calendar
import csv
import datetime
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="qgis-runtime-"))

from qgis.core import (  # noqa: E402
    Qgis,
    QgsApplication,
    QgsDateTimeRange,
    QgsFeatureRequest,
    QgsInterval,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsProject,
    QgsRenderedFeatureHandlerInterface,
    QgsTemporalNavigationObject,
    QgsTemporalUtils,
    QgsUnitTypes,
    QgsVectorLayer,
    QgsVectorLayerTemporalContext,
)
from qgis.PyQt.QtCore import QDate, QDateTime, QSize, QTime, QVariant  # noqa: E402

JULY = (datetime.date(2021, 7, 1), datetime.date(2021, 7, 31))

# The setting the README documents (Layer Properties > Temporal): "Start and End Date/Time from
# Expressions", limits "Include Start, Include End". Not "Separate Fields": QGIS takes a NULL start
# or end as open, so an undated row would show in every frame, and QGIS 3.22 (and SQLite, for a
# GeoPackage) compares a Date field with the frame's DateTime bounds as text, which moves day
# events to the frame before their day. As DateTime, with an undated row ending on 0001-01-01,
# both are right.
START_EXPRESSION = 'to_datetime("date_start")'
END_EXPRESSION = 'coalesce(to_datetime("date_end"), make_datetime(1, 1, 1, 0, 0, 0))'


def span(value, line):
    """The first and last day a date of EVENTS.csv covers, or None when it is empty."""
    value = value.strip()
    if not value:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        day = datetime.date.fromisoformat(value)
        return day, day
    if re.fullmatch(r"\d{4}-\d{2}", value):
        year, month = int(value[:4]), int(value[5:])
        return datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])
    if re.fullmatch(r"\d{4}", value):
        return datetime.date(int(value), 1, 1), datetime.date(int(value), 12, 31)
    sys.exit(f"{line}: unexpected date {value!r}")


def read_events(path):
    """Row number (1-based, header not counted, as gazmap's feature ids) -> (start, end) or None."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {n: span(row.get("date") or "", f"{path} row {n}") for n, row in enumerate(rows, 1)}


def overlapping(events, ids, first, last):
    return {i for i in ids if events[i] is not None and events[i][0] <= last and events[i][1] >= first}


def qdt(day):
    return QDateTime(QDate(day.year, day.month, day.day), QTime(0, 0))


class Drawn(QgsRenderedFeatureHandlerInterface):
    """Collects the ids of the features a map render draws."""

    def __init__(self):
        super().__init__()
        self.ids = set()

    def handleRenderedFeature(self, feature, geometry, context):  # noqa: N802 (QGIS's name)
        self.ids.add(feature.id())

    def usedAttributes(self, layer, context):  # noqa: N802
        return set()


def drawn(layer, time_range):
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setExtent(layer.extent().buffered(0.5))
    settings.setOutputSize(QSize(256, 256))
    settings.setIsTemporal(True)
    settings.setTemporalRange(time_range)
    handler = Drawn()
    settings.addRenderedFeatureHandler(handler)
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    return handler.ids


def filtered(layer, time_range):
    """The ids of the features the layer's temporal filter for `time_range` lets through."""
    context = QgsVectorLayerTemporalContext()
    context.setLayer(layer)
    expression = layer.temporalProperties().createFilterString(context, time_range)
    request = QgsFeatureRequest()
    if expression:
        request.setFilterExpression(expression)
    return {f.id() for f in layer.getFeatures(request)}


def settings_problems(props):
    want = {
        "active": True,
        "mode": Qgis.VectorTemporalMode.FeatureDateTimeStartAndEndFromExpressions,
        "start expression": START_EXPRESSION,
        "end expression": END_EXPRESSION,
        "limits": Qgis.VectorTemporalLimitMode.IncludeBeginIncludeEnd,
    }
    got = {
        "active": props.isActive(),
        "mode": props.mode(),
        "start expression": props.startExpression(),
        "end expression": props.endExpression(),
        "limits": props.limitMode(),
    }
    return [f"{k} is {got[k]!r}, expected {want[k]!r}" for k in want if got[k] != want[k]]


def check_layer(label, layer, events, july_shown):
    """Checks one opened layer; returns its problems (empty when it passes)."""
    if not layer.isValid():
        return [f"{label}: QGIS cannot open it"]
    ids = {f.id() for f in layer.getFeatures(QgsFeatureRequest().setNoAttributes())}
    problems = [f"{label}: feature {i} is no row of the CSV" for i in sorted(ids - events.keys())]
    ids &= events.keys()
    dated = any(events[i] is not None for i in ids)
    for name in ("date_start", "date_end"):
        index = layer.fields().lookupField(name)
        kind = layer.fields().at(index).type() if index >= 0 else None
        if index < 0:
            problems.append(f"{label}: no {name} field")
        elif dated and kind not in (QVariant.Date, QVariant.DateTime):
            problems.append(f"{label}: {name} read as {layer.fields().at(index).typeName()}, not Date")
    expected = overlapping(events, ids, *JULY)
    july = QgsDateTimeRange(qdt(JULY[0]), qdt(JULY[1]), True, True)
    got = filtered(layer, july)
    july_shown |= got
    if got != expected:
        problems.append(f"{label}: July filter gives {sorted(got)}, expected {sorted(expected)}")
    draw = drawn(layer, july)
    if draw != expected:
        problems.append(f"{label}: July render draws {sorted(draw)}, expected {sorted(expected)}")
    navigation = QgsTemporalNavigationObject()
    navigation.setTemporalExtents(QgsDateTimeRange(qdt(JULY[0]), qdt(JULY[1] + datetime.timedelta(days=1))))
    navigation.setFrameDuration(QgsInterval(1, QgsUnitTypes.TemporalDays))
    frames = navigation.totalFrameCount()
    if frames != 31:
        problems.append(f"{label}: {frames} day frames in July, expected 31")
    frames_ok = 0
    for frame in range(frames):
        time_range = navigation.dateTimeRangeForFrameNumber(frame)
        day = time_range.begin().date().toPyDate()
        want = overlapping(events, ids, day, day)
        shown = filtered(layer, time_range)
        if shown == want:
            frames_ok += 1
        else:
            problems.append(f"{label}: frame {day} shows {sorted(shown)}, expected {sorted(want)}")
    status = "ok  " if not problems else "FAIL"
    index = layer.fields().lookupField("date_start")
    kind = layer.fields().at(index).typeName() if index >= 0 else "missing"
    print(
        f"{status} {label}: {len(ids)} features, date_start {kind}, July by QGIS {len(got)} {sorted(got)}, "
        f"expected {len(expected)}, drawn {len(draw)}; day frames {frames_ok}/{frames}"
    )
    return problems


def set_temporal(layer, fields):
    """Sets the README's temporal setting, or with `fields` QGIS's plain "Separate Fields"."""
    props = layer.temporalProperties()
    props.setIsActive(True)
    if fields:
        props.setMode(Qgis.VectorTemporalMode.FeatureDateTimeStartAndEndFromFields)
        props.setStartField("date_start")
        props.setEndField("date_end")
    else:
        props.setMode(Qgis.VectorTemporalMode.FeatureDateTimeStartAndEndFromExpressions)
        props.setStartExpression(START_EXPRESSION)
        props.setEndExpression(END_EXPRESSION)
    props.setLimitMode(Qgis.VectorTemporalLimitMode.IncludeBeginIncludeEnd)


def open_gpkg_table(path, table):
    # As QGIS desktop adds a layer: built without its default style, which is loaded afterwards
    # (QgsVectorLayer's constructor resets the temporal settings a default style sets).
    options = QgsVectorLayer.LayerOptions()
    options.loadDefaultStyle = False
    layer = QgsVectorLayer(f"{path}|layername={table}", table, "ogr", options)
    message, loaded = layer.loadDefaultStyle()
    return layer, loaded, message


def gpkg_tables(path):
    """The feature tables layers.gpkg registers (gpkg_contents)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'").fetchall()
    return sorted(r[0] for r in rows)


def main():
    args = sys.argv[1:]
    fields = bool(args) and args[0] == "--fields"
    if fields:
        args = args[1:]
    if len(args) < 2:
        sys.exit(__doc__.split("\n")[-2])
    gazmap, events_path, options = args[0], args[1], args[2:]
    events = read_events(events_path)
    july_rows = overlapping(events, events.keys(), *JULY)
    precision = {"day": 0, "month": 0, "year": 0}
    for i in july_rows:
        s, e = events[i]
        precision["day" if s == e else "year" if (e - s).days > 31 else "month"] += 1
    print(
        f"{events_path}: {len(events)} rows, {len(july_rows)} overlap July 2021 "
        f"({precision['day']} day, {precision['month']} month, {precision['year']} year dates): {sorted(july_rows)}"
    )
    app = QgsApplication([], False)
    app.initQgis()
    project = QgsProject.instance()
    problems = []
    with tempfile.TemporaryDirectory() as out:
        for layer_by in ("event", "date"):
            directory = os.path.join(out, layer_by)
            subprocess.run(
                [gazmap, *options, "export", events_path, "-o", directory, "--quiet",
                 "--format", "geojson,gpkg", "--layer-by", layer_by],
                check=True,
            )
            unresolved = set()
            unresolved_path = os.path.join(directory, "unresolved.csv")
            if os.path.exists(unresolved_path):
                with open(unresolved_path, newline="", encoding="utf-8") as f:
                    unresolved = {int(r["row"]) for r in csv.DictReader(f)}
            geojson = sorted(f for f in os.listdir(directory) if f.endswith(".geojson"))
            gpkg = os.path.join(directory, "layers.gpkg")
            tables = gpkg_tables(gpkg)
            if sorted(f[: -len(".geojson")] for f in geojson) != tables:
                problems.append(f"by {layer_by}: GeoJSON layers {geojson} but GeoPackage tables {tables}")
            for form in ("geojson", "gpkg"):
                shown = set()
                span_all = None
                for name in tables if form == "gpkg" else geojson:
                    label = f"{form} by {layer_by}: {name}"
                    if form == "geojson":
                        layer = QgsVectorLayer(os.path.join(directory, name), name, "ogr")
                        set_temporal(layer, fields)
                    else:
                        layer, loaded, message = open_gpkg_table(gpkg, name)
                        if not loaded:
                            problems.append(f"{label}: no default style loaded ({message})")
                        problems += [f"{label}: stored temporal setting: {p}" for p in settings_problems(layer.temporalProperties())]
                        if fields:
                            set_temporal(layer, fields)
                    problems += check_layer(label, layer, events, shown)
                    project.addMapLayer(layer)
                    dated = [events[i] for i in layer.allFeatureIds() if events.get(i)]
                    if dated:
                        bounds = (min(d[0] for d in dated), max(d[1] for d in dated))
                        span_all = bounds if span_all is None else (min(span_all[0], bounds[0]), max(span_all[1], bounds[1]))
                full = QgsTemporalUtils.calculateTemporalRangeForProject(project)
                full = (full.begin().date().toPyDate(), full.end().date().toPyDate())
                project.removeAllMapLayers()
                print(
                    f"{'ok  ' if full == span_all else 'FAIL'} {form} by {layer_by}: QGIS's full range "
                    f"{full[0]} to {full[1]}, the rows' {span_all[0]} to {span_all[1]}"
                )
                if full != span_all:
                    problems.append(f"{form} by {layer_by}: full range {full}, expected {span_all}")
                missing = july_rows - shown - unresolved
                extra = shown - july_rows
                print(
                    f"{'ok  ' if not missing and not extra else 'FAIL'} {form} by {layer_by}: July 2021 shows "
                    f"{len(shown)} of {len(july_rows)} July rows, {len(july_rows & unresolved)} unresolved "
                    f"({sorted(july_rows & unresolved)})"
                )
                if missing or extra:
                    problems.append(f"{form} by {layer_by}: July rows not shown {sorted(missing)}, shown but not July {sorted(extra)}")
    for p in problems:
        print(p)
    print(f"QGIS {Qgis.QGIS_VERSION}: {'no problem' if not problems else f'{len(problems)} problems'}")
    return 1 if problems else 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    # Tearing QGIS down (exitQgis, or Python's own exit) crashes PyQGIS 3.22 here: leave at once.
    os._exit(status)
