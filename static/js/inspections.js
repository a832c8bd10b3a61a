// The finding form on a phone: location from the browser, proposals for unit and deadline,
// and the check list turning a failed check into this finding. The form works without it.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    var form = document.getElementById("finding-form");
    if (!form) { return; }
    var lat = form.querySelector("#id_latitude");
    var lon = form.querySelector("#id_longitude");
    var status = document.getElementById("geo-status");
    var unit = form.querySelector("#id_responsible_unit");
    var deadline = form.querySelector("#id_deadline");
    var site = form.querySelector("#id_site");
    var category = form.querySelector("#id_category");
    var address = form.querySelector("#id_address");
    var description = form.querySelector("#id_description");
    var checkItem = form.querySelector("#id_check_item");
    var hint = document.getElementById("standard-hint");
    var hintText = document.getElementById("standard-text");

    // Fields the inspector changed by hand are never overwritten by a proposal.
    [unit, deadline, address].forEach(function (el) {
      if (el) { el.addEventListener("input", function () { el.dataset.touched = "1"; }); }
    });

    function say(text) { if (status) { status.textContent = text; } }

    function locate() {
      if (!navigator.geolocation) { say(status.dataset.failed); return; }
      say(status.dataset.waiting);
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lon.value = pos.coords.longitude.toFixed(6);
        say(status.dataset.found.replace("%s", Math.round(pos.coords.accuracy || 0)));
        propose();
      }, function () {
        say(status.dataset.failed);
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    }

    function propose() {
      var params = new URLSearchParams();
      if (category && category.value) { params.set("category", category.value); }
      if (site && site.value) { params.set("site", site.value); }
      if (lat.value && lon.value) { params.set("lat", lat.value); params.set("lon", lon.value); }
      fetch(form.dataset.proposeUrl + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          if (unit && data.unit && !unit.dataset.touched) { unit.value = String(data.unit); }
          if (deadline && data.deadline && !deadline.dataset.touched) { deadline.value = data.deadline; }
          if (address && data.site && !address.dataset.touched && !address.value) { address.value = data.site.address; }
        })
        .catch(function () { /* the server proposes again on submit */ });
    }

    var locateButton = document.getElementById("geo-locate");
    if (locateButton) { locateButton.addEventListener("click", locate); }
    [lat, lon].forEach(function (el) { el.addEventListener("change", propose); });
    [site, category].forEach(function (el) { if (el) { el.addEventListener("change", propose); } });

    // A failed check becomes this finding: its line describes it, its standard is shown.
    form.addEventListener("change", function (event) {
      var radio = event.target;
      if (!radio.matches || !radio.matches(".checklist input[type=radio]")) { return; }
      var row = radio.closest(".check-row");
      if (radio.value === "fail") {
        checkItem.value = row.dataset.check;
        if (!description.value) { description.value = row.dataset.text; }
        if (hint) {
          hintText.textContent = row.dataset.standard;
          hint.classList.toggle("hidden", !row.dataset.standard);
        }
      } else if (checkItem.value === row.dataset.check) {
        checkItem.value = "";
        if (hint) { hint.classList.add("hidden"); }
      }
    });

    if (!lat.value || !lon.value) { locate(); } else { propose(); }
  });
})();
