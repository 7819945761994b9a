// gazmap's map page: every layer embedded as JSON, drawn with Leaflet; no network needed.
// Data is only ever put in the page as text (textContent), never as HTML.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("gz-config").textContent);
  var map = L.map("map", { zoomSnap: 0.5, maxZoom: 18 });
  if (cfg.tiles) {
    L.tileLayer(cfg.tiles, { attribution: cfg.tilesAttribution || "", maxZoom: 19 }).addTo(map);
  }
  var DAY = 86400000;
  function dayOf(s) { return s ? Date.parse(s + "T00:00:00Z") / DAY : null; }
  function isoOf(d) { return new Date(d * DAY).toISOString().slice(0, 10); }
  function colourOf(p) {
    var e = cfg.eventProperty ? p[cfg.eventProperty] : null;
    return (e != null && cfg.colours[String(e).trim()]) || cfg.defaultColour;
  }
  function approximate(p) { return p.geo_precision === "parent" || p.kind === "province"; }

  // events per place: polygons are coloured by how many events fall in them
  var perPlace = {};
  var layers = Array.prototype.map.call(
    document.querySelectorAll('script[type="application/json"][data-layer]'),
    function (s) { return { name: s.getAttribute("data-layer"), fc: JSON.parse(s.textContent) }; });
  layers.forEach(function (l) {
    l.fc.features.forEach(function (f) {
      var id = f.properties.place_id;
      perPlace[id] = (perPlace[id] || 0) + 1;
    });
  });
  var scale = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"];
  var maxCount = Math.max.apply(null, [1].concat(Object.keys(perPlace).map(function (k) { return perPlace[k]; })));
  function countColour(n) {
    var i = Math.min(scale.length - 1, Math.floor((n - 1) / Math.max(1, maxCount) * scale.length));
    return scale[Math.max(0, i)];
  }

  function popup(f) {
    var div = document.createElement("div");
    div.className = "gz-popup";
    var table = document.createElement("table");
    Object.keys(f.properties).forEach(function (k) {
      var v = f.properties[k];
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      var td = document.createElement("td");
      th.textContent = k;
      td.textContent = v === null ? "" : String(v);
      tr.appendChild(th);
      tr.appendChild(td);
      table.appendChild(tr);
    });
    div.appendChild(table);
    return div;
  }

  var entries = [];
  var overlays = {};
  var bounds = L.latLngBounds([]);
  layers.forEach(function (l) {
    var points = L.markerClusterGroup({ spiderfyOnMaxZoom: true, showCoverageOnHover: false, maxClusterRadius: 30 });
    var areas = L.featureGroup();
    var group = L.layerGroup([areas, points]);
    l.fc.features.forEach(function (f) {
      var p = f.properties, g = f.geometry, layer, holder;
      if (g.type === "Point") {
        var approx = approximate(p);
        layer = L.circleMarker([g.coordinates[1], g.coordinates[0]], approx
          ? { radius: 9, color: colourOf(p), weight: 2, dashArray: "3 3", fill: false }
          : { radius: 6, color: "#222", weight: 1, fillColor: colourOf(p), fillOpacity: 0.9 });
        holder = points;
      } else {
        layer = L.geoJSON(f, { style: function () {
          return { color: colourOf(p), weight: 1.5, fillColor: countColour(perPlace[p.place_id] || 1),
                   fillOpacity: 0.6, dashArray: approximate(p) ? "4 3" : null };
        } });
        holder = areas;
      }
      layer.bindPopup(function () { return popup(f); }, { minWidth: 260, maxWidth: 420 });
      holder.addLayer(layer);
      var start = dayOf(p.date_start), end = dayOf(p.date_end);
      entries.push({ layer: layer, holder: holder, feature: f, start: start, end: end, shown: true });
      if (layer.getLatLng) { bounds.extend(layer.getLatLng()); } else { bounds.extend(layer.getBounds()); }
    });
    group.addTo(map);
    overlays[l.name + " (" + l.fc.features.length + ")"] = group;
  });
  L.control.layers(null, overlays, { collapsed: false }).addTo(map);
  if (bounds.isValid()) { map.fitBounds(bounds.pad(0.1)); } else { map.setView([0, 0], 2); }

  // time: every feature by default; a day shows the features whose date_start..date_end holds it
  var days = entries.filter(function (e) { return e.start !== null; });
  var first = Math.min.apply(null, days.map(function (e) { return e.start; }));
  var last = Math.max.apply(null, days.map(function (e) { return e.end; }));
  var state = { all: true, day: isFinite(first) ? first : null };
  function apply() {
    var add = new Map(), remove = new Map();
    entries.forEach(function (e) {
      var want = state.all || (e.start !== null && e.start <= state.day && state.day <= e.end);
      if (want !== e.shown) {
        var m = want ? add : remove;
        if (!m.has(e.holder)) { m.set(e.holder, []); }
        m.get(e.holder).push(e.layer);
        e.shown = want;
      }
    });
    remove.forEach(function (ls, h) { if (h.removeLayers) { h.removeLayers(ls); } else { ls.forEach(function (x) { h.removeLayer(x); }); } });
    add.forEach(function (ls, h) { if (h.addLayers) { h.addLayers(ls); } else { ls.forEach(function (x) { h.addLayer(x); }); } });
    if (label) { label.textContent = state.all ? "all dates (" + visible() + ")" : isoOf(state.day) + " (" + visible() + ")"; }
  }
  function visible() {
    return entries.filter(function (e) { return e.holder.hasLayer(e.layer); }).length;
  }
  var label = null, slider = null, timer = null;
  if (state.day !== null) {
    var TimeControl = L.Control.extend({
      options: { position: "bottomleft" },
      onAdd: function () {
        var div = L.DomUtil.create("div", "gz-panel gz-time");
        L.DomEvent.disableClickPropagation(div);
        var all = L.DomUtil.create("input", "", div);
        all.type = "checkbox"; all.checked = true; all.id = "gz-all";
        var allLabel = L.DomUtil.create("label", "", div);
        allLabel.htmlFor = "gz-all"; allLabel.textContent = " all dates  ";
        var play = L.DomUtil.create("button", "", div);
        play.type = "button"; play.textContent = "▶ play";
        label = L.DomUtil.create("span", "gz-day", div);
        slider = L.DomUtil.create("input", "", div);
        slider.type = "range"; slider.min = first; slider.max = last; slider.step = 1; slider.value = first;
        slider.id = "gz-slider";
        slider.addEventListener("input", function () { state.all = false; all.checked = false; state.day = +slider.value; apply(); });
        all.addEventListener("change", function () { state.all = all.checked; apply(); });
        play.addEventListener("click", function () {
          if (timer) { clearInterval(timer); timer = null; play.textContent = "▶ play"; return; }
          state.all = false; all.checked = false; play.textContent = "❚❚ pause";
          timer = setInterval(function () {
            state.day = state.day >= last ? first : state.day + 1;
            slider.value = state.day; apply();
          }, 400);
        });
        return div;
      }
    });
    new TimeControl().addTo(map);
  }

  var Legend = L.Control.extend({
    options: { position: "bottomright" },
    onAdd: function () {
      var div = L.DomUtil.create("div", "gz-panel gz-legend");
      function row(cls, colour, text) {
        var r = L.DomUtil.create("div", "", div);
        var i = L.DomUtil.create("i", cls, r);
        if (colour) { i.style.background = colour; i.style.borderColor = colour; }
        r.appendChild(document.createTextNode(text));
      }
      Object.keys(cfg.colours).sort().forEach(function (k) { row("", cfg.colours[k], k || "(no event type)"); });
      row("gz-approx", null, "approximate location (parent place or province)");
      if (entries.some(function (e) { return !e.layer.getLatLng; })) {
        row("gz-area", scale[0], "area: 1 event");
        row("gz-area", scale[scale.length - 1], "area: " + maxCount + " events");
      }
      return div;
    }
  });
  new Legend().addTo(map);
  apply();

  // for checks and scripts: the features, how many are on the map, and the time filter
  window.gazmap = {
    features: entries.length,
    visible: visible,
    setDay: function (iso) { state.all = false; state.day = dayOf(iso); apply(); return visible(); },
    showAll: function () { state.all = true; apply(); return visible(); },
    popups: function () { return entries.map(function (e) { return popup(e.feature); }); },
    openPopup: function (i) { var e = entries[i]; var c = popup(e.feature);
      var at = e.layer.getLatLng ? e.layer.getLatLng() : e.layer.getBounds().getCenter();
      map.openPopup(c, at, { minWidth: 260, maxWidth: 420 }); return c; }
  };
})();
