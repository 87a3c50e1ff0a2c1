// Makes the region choice cascade without a round trip where scripts run; the form works
// the same without it (the "update region choices" button does this on the server).
(function () {
  document.documentElement.classList.add("js");
  var form = document.querySelector("form.join");
  if (!form) return;
  var province = form.elements.province, city = form.elements.city, county = form.elements.region_code;
  function fill(select, parent) {
    var first = select.options[0];
    select.length = 1;
    first.selected = true;
    if (!parent) return;
    fetch("/regions/" + encodeURIComponent(parent)).then(function (r) { return r.ok ? r.json() : []; }).then(function (list) {
      list.forEach(function (r) { select.add(new Option(r.name, r.code)); });
    });
  }
  province.addEventListener("change", function () { fill(city, province.value); fill(county, ""); });
  city.addEventListener("change", function () { fill(county, city.value); });
})();
