/* Kindred: the optional map, a progressive enhancement.

   Markup (see templates/groups/_results_map.html and _group_map.html):
     <div class="map" data-points='[{"lat":..,"lng":..,"name":"..","url":".."}]'
          data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png" data-attribution="..."
          data-leaflet-js="/static/vendor/leaflet/leaflet.js" data-leaflet-css="..."
          data-show-label="..." data-map-label="..." data-error-label="..."></div>

   The list (or the written address) is the primary view. This script adds a button;
   Leaflet and the tiles load only when the person presses it, so a slow connection
   pays nothing for a map it does not want. No inline script: CSP-friendly. */
(function () {
  "use strict";
  if (window.kindredMapLoaded) return;  // the fragments may both include this file
  window.kindredMapLoaded = true;

  var leaflet = null;

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement(tag);
      Object.keys(attributes).forEach(function (key) { element[key] = attributes[key]; });
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  function loadLeaflet(container) {
    if (!leaflet) {
      leaflet = Promise.all([
        load("link", { rel: "stylesheet", href: container.dataset.leafletCss }),
        load("script", { src: container.dataset.leafletJs }),
      ]).then(function () { return window.L; });
    }
    return leaflet;
  }

  function escapeText(text) {
    var span = document.createElement("span");
    span.textContent = text || "";
    return span.innerHTML;
  }

  function popup(point) {
    var link = document.createElement("a");
    link.href = point.url;
    link.textContent = point.name;
    return link;
  }

  function draw(container, L, points) {
    var canvas = document.createElement("div");
    canvas.className = "map-canvas";
    canvas.setAttribute("role", "region");
    canvas.setAttribute("aria-label", container.dataset.mapLabel);
    container.appendChild(canvas);

    var map = L.map(canvas, { scrollWheelZoom: false });
    map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');
    L.tileLayer(container.dataset.tileUrl, {
      attribution: escapeText(container.dataset.attribution),
      maxZoom: 18,
    }).addTo(map);
    var markers = points.map(function (point) {
      return L.marker([point.lat, point.lng], { alt: point.name, title: point.name })
        .bindPopup(popup(point));
    });
    var layer = L.featureGroup(markers).addTo(map);
    if (points.length === 1) {
      map.setView([points[0].lat, points[0].lng], 15);
    } else {
      map.fitBounds(layer.getBounds().pad(0.15), { maxZoom: 15 });
    }
    container.classList.add("map-shown");
    canvas.setAttribute("tabindex", "0");
    canvas.focus();
  }

  function enhance(container) {
    var points;
    try {
      points = JSON.parse(container.dataset.points || "[]");
    } catch (error) {
      return;
    }
    if (!points.length || !container.dataset.tileUrl) return;

    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary map-button";
    button.textContent = container.dataset.showLabel;
    button.addEventListener("click", function () {
      button.disabled = true;
      loadLeaflet(container).then(
        function (L) { button.remove(); draw(container, L, points); },
        function () {
          var message = document.createElement("p");
          message.setAttribute("role", "status");
          message.textContent = container.dataset.errorLabel;
          button.replaceWith(message);
        }
      );
    });
    container.appendChild(button);
  }

  function init() {
    document.querySelectorAll(".map[data-points]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
