// Asks the browser for the phone's position (WGS-84) and reloads /stations with it; the
// server converts it to GCJ-02 and ranks the stations. Without this script, or when the
// worker refuses, the county choice below works as an ordinary form.
(function () {
  document.documentElement.classList.add("js");
  var button = document.getElementById("locate");
  if (!button || !navigator.geolocation) return;
  var status = document.getElementById("locate-status");
  button.addEventListener("click", function () {
    status.textContent = button.getAttribute("data-wait");
    navigator.geolocation.getCurrentPosition(function (p) {
      var q = new URLSearchParams(location.search);
      q.set("lat", p.coords.latitude.toFixed(6));
      q.set("lng", p.coords.longitude.toFixed(6));
      q.delete("county");
      location.search = q.toString();
    }, function () {
      status.textContent = button.getAttribute("data-failed");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
})();
